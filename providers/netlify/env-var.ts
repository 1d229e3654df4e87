/**
 * The dynamic provider for one Netlify site variable (a key) and this stack's values of it, one
 * per deploy context (accounts env API, reference §5). Several stacks write other contexts of the
 * same key (prod `production`, staging `branch:staging`), so values are set one at a time (PATCH)
 * and removed one at a time; the key goes only with its last value.
 *
 * Secrets: Netlify returns them masked (the mask's format is unconfirmed), so a refresh keeps the
 * values in state and cannot see a secret changed in the dashboard (docs/operations.md). Scopes:
 * free plans refuse explicit scopes except exactly `builds, functions, runtime` for a secret, so
 * public variables send none (all four) and secrets send those three.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, createdButFailed, getOrGone, isApiError, namingErrors, postOrFind, providerChanged, type NetlifyClient, type NetlifyClientOptions, UNKNOWN } from "./client";

export interface EnvVarValueInput {
  context: "production" | "deploy-preview" | "branch-deploy" | "branch" | "dev";
  /** With `context: "branch"`: the branch name. */
  contextParameter?: string;
  value: string;
}

export interface EnvVarInputs {
  /** Team slug (or id) for the accounts env API. */
  accountSlug: string;
  siteId: string;
  key: string;
  isSecret: boolean;
  /** Scopes to send; absent = none (all four). */
  scopes?: string[];
  /** This stack's values; other stacks' values of the same key are left alone. */
  values: EnvVarValueInput[];
}

export type EnvVarOutputs = EnvVarInputs;

export interface EnvVarProviderOptions {
  client?: NetlifyClientOptions;
}

type Failure = { property: string; reason: string };
const CONTEXTS = ["production", "deploy-preview", "branch-deploy", "branch", "dev"];
const label = (v: { context: string; contextParameter?: string }) => (v.contextParameter !== undefined ? `${v.context}:${v.contextParameter}` : v.context);

export function checkEnvVar(news: Record<string, any>): Failure[] {
  const f: Failure[] = [];
  if (news.key !== UNKNOWN && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(news.key))) f.push({ property: "key", reason: "key must be a variable name" });
  if (news.values === UNKNOWN) return f;
  if (!Array.isArray(news.values) || news.values.length === 0) return [...f, { property: "values", reason: "values must list at least one context" }];
  const seen = new Set<string>();
  news.values.forEach((v: any, i: number) => {
    if (v === UNKNOWN || v?.context === UNKNOWN) return;
    const at = `values[${i}]`;
    if (!CONTEXTS.includes(v?.context)) f.push({ property: at, reason: `context must be one of ${CONTEXTS.join(", ")} (never 'all': secrets need explicit contexts)` });
    if ((v?.context === "branch") !== (v?.contextParameter !== undefined)) f.push({ property: at, reason: "contextParameter is the branch, with context 'branch' only" });
    if (news.isSecret === true && v?.context === "dev") f.push({ property: at, reason: "a secret cannot go to the dev context (its values stay readable)" });
    if (seen.has(label(v))) f.push({ property: at, reason: `context ${label(v)} listed twice` });
    seen.add(label(v));
  });
  if (Array.isArray(news.scopes) && news.isSecret === true && news.scopes.some((s: string) => /post.processing/.test(s))) {
    f.push({ property: "scopes", reason: "secrets cannot have the post-processing scope" });
  }
  return f;
}

export function diffEnvVar(olds: Partial<EnvVarOutputs>, news: EnvVarInputs) {
  // The secret flag cannot be removed on Netlify: a change makes another variable.
  const replaces = (["accountSlug", "siteId", "key", "isSecret"] as const).filter((k) => olds[k] !== news[k]);
  const changes =
    replaces.length > 0 ||
    JSON.stringify(olds.values) !== JSON.stringify(news.values) ||
    JSON.stringify(olds.scopes ?? null) !== JSON.stringify(news.scopes ?? null) ||
    providerChanged(olds as any, news as any);
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

const keyPath = (i: Pick<EnvVarInputs, "accountSlug" | "key">) => `/accounts/${encodeURIComponent(i.accountSlug)}/env/${encodeURIComponent(i.key)}`;
const sameContext = (a: { context: string; context_parameter?: string }, b: EnvVarValueInput) =>
  a.context === b.context && (b.context !== "branch" || a.context_parameter === b.contextParameter);

async function getVar(c: NetlifyClient, i: EnvVarInputs): Promise<any | undefined> {
  return getOrGone<any>(c, keyPath(i), { site_id: i.siteId });
}

async function setValue(c: NetlifyClient, i: EnvVarInputs, v: EnvVarValueInput): Promise<void> {
  await c.request("PATCH", keyPath(i), {
    query: { site_id: i.siteId },
    body: { context: v.context, ...(v.contextParameter !== undefined ? { context_parameter: v.contextParameter } : {}), value: v.value },
  });
}

async function removeValues(c: NetlifyClient, i: EnvVarInputs, which: EnvVarValueInput[]): Promise<any | undefined> {
  const remote = await getVar(c, i);
  if (!remote) return undefined;
  for (const v of remote.values ?? []) {
    if (!which.some((w) => sameContext(v, w))) continue;
    try {
      await c.request("DELETE", `${keyPath(i)}/value/${encodeURIComponent(v.id)}`, { query: { site_id: i.siteId } });
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
  }
  return { ...remote, values: (remote.values ?? []).filter((v: any) => !which.some((w) => sameContext(v, w))) };
}

const idOf = (i: EnvVarInputs) => `${i.siteId}/${i.key}/${i.values.map(label).join("+")}`;

export function createEnvVarProvider(options: EnvVarProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors(
    {
      configure,
      async check(_olds: any, news: any) {
        return { inputs: news, failures: checkEnvVar(news) };
      },
      async diff(_id: string, olds: EnvVarOutputs, news: EnvVarInputs) {
        return diffEnvVar(olds, news);
      },

      async create(inputs: EnvVarInputs) {
        const c = client();
        const body = [
          compact({
            key: inputs.key,
            is_secret: inputs.isSecret,
            scopes: inputs.scopes,
            values: inputs.values.map((v) => compact({ context: v.context, context_parameter: v.contextParameter, value: v.value })),
          }),
        ];
        let created = false;
        // A lost answer is looked up; a 409 means another stack holds the key: this stack adds its contexts.
        const existing = await postOrFind<any>(
          c,
          async () => {
            const made = (await c.request<any[]>("POST", `/accounts/${encodeURIComponent(inputs.accountSlug)}/env`, { query: { site_id: inputs.siteId }, body, idempotent: false })).body;
            created = true;
            return made?.[0] ?? {};
          },
          () => getVar(c, inputs),
        );
        const id = idOf(inputs);
        if (!created) {
          if (existing.is_secret !== inputs.isSecret) {
            throw new Error(`the key exists on the site as a ${existing.is_secret ? "secret" : "public"} variable; this stack declares it ${inputs.isSecret ? "secret" : "public"}`);
          }
          try {
            for (const v of inputs.values) await setValue(c, inputs, v);
          } catch (err) {
            throw createdButFailed(`Netlify variable '${inputs.key}'`, id, inputs, err);
          }
        }
        return { id, outs: compact(inputs) };
      },

      async read(id: string, props: EnvVarOutputs) {
        const remote = await getVar(client(), props);
        if (!remote) return {};
        const values: EnvVarValueInput[] = [];
        for (const mine of props.values) {
          const r = (remote.values ?? []).find((v: any) => sameContext(v, mine));
          if (!r) continue;
          // Secret values read back masked (any format): keep the recorded one, drift stays invisible.
          values.push(props.isSecret ? mine : { ...mine, value: String(r.value ?? "") });
        }
        if (!values.length) return {};
        return { id, props: compact({ ...props, isSecret: remote.is_secret === true, values }) };
      },

      async update(_id: string, olds: EnvVarOutputs, news: EnvVarInputs) {
        const c = client();
        const gone = olds.values.filter((o) => !news.values.some((n) => label(n) === label(o)));
        if (gone.length) await removeValues(c, news, gone);
        for (const v of news.values) {
          const before = olds.values.find((o) => label(o) === label(v));
          if (!before || before.value !== v.value) await setValue(c, news, v);
        }
        if (JSON.stringify(olds.scopes ?? null) !== JSON.stringify(news.scopes ?? null)) {
          const remote = await getVar(c, news);
          // PUT replaces every value, so it resends what is there (secrets cannot be read back: refused then).
          if (remote && news.isSecret) throw new Error("scopes of a secret cannot be changed without its other contexts' values; recreate it");
          if (remote) {
            await c.request("PUT", keyPath(news), {
              query: { site_id: news.siteId, key: news.key },
              body: compact({ key: news.key, is_secret: news.isSecret, scopes: news.scopes, values: remote.values.map((v: any) => compact({ context: v.context, context_parameter: v.context_parameter, value: v.value })) }),
            });
          }
        }
        return { outs: compact(news) };
      },

      async delete(_id: string, props: EnvVarOutputs) {
        const c = client();
        const left = await removeValues(c, props, props.values);
        if (left && left.values.length === 0) {
          try {
            await c.request("DELETE", keyPath(props), { query: { site_id: props.siteId } });
          } catch (err) {
            if (!isApiError(err, 404)) throw err;
          }
        }
      },
    },
    (p, id) => `Netlify variable '${p.key ?? id}'`,
  );
}
