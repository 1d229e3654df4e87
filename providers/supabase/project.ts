/**
 * The dynamic provider for a Supabase project (Management API v1). It runs from a bundle in Pulumi's
 * dynamic-provider host and needs `@pulumi/pulumi` for types only; the resource class is in
 * project-resource.ts. Facts and quirks: /work/shared/reference/supabase-api.md §3–5, §9.
 *
 * - Create is not idempotent and has no idempotency key: the org is searched by name before every
 *   POST and after any answer that was lost, and an exact match is adopted (its password reset, as
 *   only this run knows the one it sent).
 * - The create answers `UNKNOWN`, then `COMING_UP`: waited out with a bound. A failed or timed-out
 *   wait still records the `ref` (partial state), and the next `up` continues from it.
 * - Keys are chosen by `type` (two are named `default`), always with `reveal=true`.
 * - The pooler host is read from the API (its `aws-<N>` is not derivable), retried while the list is empty.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isApiError } from "../kit/rest";
import { compact, createdButFailed, getOrGone, known, namingErrors, postOrFind, providerChanged, UNKNOWN, waitFor } from "../kit/provider";
import { configurableClient, projectUrl, type SupabaseClient, type SupabaseClientOptions } from "./client";
import { INSTANCE_SIZES, REGIONS } from "./facts";

export interface ProjectInputs {
  /** The organization's slug (`GET /v1/organizations`), e.g. `acme-corp`. */
  organizationSlug: string;
  /** Project name, unique per org by webstack's convention (`<app>-<stack>`); Supabase keys on the `ref`. */
  name: string;
  /** A specific region code such as `eu-central-1`. Changing it replaces the project. */
  region: string;
  /** Compute size (`micro`, `small`, …); unset: the smallest the org allows. Changing it resizes (short downtime). */
  instanceSize?: string;
  /** Pause the project (free plan only), or restore it. */
  paused?: boolean;
  /** Refuse `delete` (production): the project and its data outlive a `pulumi destroy`. */
  deletionProtection?: boolean;
}

export interface ProjectOutputs extends ProjectInputs {
  ref: string;
  status: string;
  /** `https://<ref>.supabase.co`: SUPABASE_URL, safe for the browser. */
  apiUrl: string;
  /** Generated at create, secret. */
  dbPassword: string;
  /** The publishable key (or the legacy anon JWT): browser-safe, RLS applies. */
  anonKey: string;
  /** The secret key (or the legacy service_role JWT): server only, bypasses RLS. Secret. */
  serviceRoleKey: string;
  /** The shared pooler (Supavisor) host as the API reports it, e.g. `aws-1-eu-central-1.pooler.supabase.com`. */
  poolerHost: string;
  /** `postgres.<ref>`: the pooler needs the ref in the user name. */
  poolerUser: string;
  /** `db.<ref>.supabase.co`: IPv6 only unless the IPv4 add-on is bought. */
  directHost: string;
  /** Session-mode pooler URL (port 5432), password percent-encoded: DATABASE_URL on IPv4-only hosts. Secret. */
  sessionUrl: string;
  /** Transaction-mode pooler URL (port 6543): turn prepared statements off. Secret. */
  transactionUrl: string;
  /** Direct URL (IPv6, or IPv4 with the add-on). Secret. */
  directUrl: string;
  postgresVersion: string;
}

export const SECRET_OUTPUTS = ["dbPassword", "serviceRoleKey", "sessionUrl", "transactionUrl", "directUrl"];

export interface ProjectProviderOptions {
  client?: SupabaseClientOptions;
  /** Between status polls (ms). Default 5000 (`SUPABASE_POLL_INTERVAL_MS`). */
  pollIntervalMs?: number;
  /** Bound on waiting for ACTIVE_HEALTHY after a create, resize or restore (s). Default 900 (`SUPABASE_WAIT_TIMEOUT_S`). */
  waitTimeoutSeconds?: number;
  /** Bound on waiting for the pooler's PRIMARY entry and the keys (s). Default 300. */
  poolerTimeoutSeconds?: number;
}

type Failure = { property: string; reason: string };

/** Statuses that end a wait at once (TF `waitForProjectActive`'s fail-fast list). */
const FAILED = ["GOING_DOWN", "INIT_FAILED", "REMOVED", "PAUSE_FAILED", "RESTORE_FAILED"];

export function checkProject(news: Record<string, any>): Failure[] {
  const f: Failure[] = [];
  const str = (k: string) => news[k] === UNKNOWN || (typeof news[k] === "string" && news[k].trim() !== "");
  for (const k of ["organizationSlug", "name", "region"]) if (!str(k)) f.push({ property: k, reason: `${k} is required` });
  if (known(news.organizationSlug) && typeof news.organizationSlug === "string" && !/^[\w-]+$/.test(news.organizationSlug)) {
    f.push({ property: "organizationSlug", reason: "organizationSlug must be an organization slug (letters, digits, _ and -)" });
  }
  if (known(news.name) && typeof news.name === "string" && news.name.length > 256) f.push({ property: "name", reason: "name must be at most 256 characters" });
  if (known(news.region) && typeof news.region === "string" && !REGIONS.includes(news.region)) {
    f.push({ property: "region", reason: `region '${news.region}' is not a Supabase region (${REGIONS.join(", ")})` });
  }
  if (known(news.instanceSize) && !INSTANCE_SIZES.includes(news.instanceSize)) {
    f.push({ property: "instanceSize", reason: `instanceSize '${news.instanceSize}' is not a Supabase compute size (${INSTANCE_SIZES.join(", ")})` });
  }
  for (const k of ["paused", "deletionProtection"]) {
    if (known(news[k]) && typeof news[k] !== "boolean") f.push({ property: k, reason: `${k} must be true or false` });
  }
  return f;
}

export function diffProject(olds: Record<string, any>, news: Record<string, any>): pulumi.dynamic.DiffResult {
  const replaces = ["organizationSlug", "region"].filter((k) => olds[k] !== news[k]);
  const updates = ["name", "instanceSize", "paused", "deletionProtection"].filter((k) => (olds[k] ?? undefined) !== (news[k] ?? undefined));
  // A partial create (no keys or pooler yet) is completed by the update.
  const incomplete = !olds.sessionUrl || !olds.anonKey || !olds.dbPassword;
  return {
    changes: replaces.length + updates.length > 0 || incomplete || providerChanged(olds as any, news as any),
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

/** 32 random letters and digits: no strength rule is documented for the API, and nothing needs quoting. */
export function generatePassword(length = 32): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = new Uint8Array(length * 2);
  crypto.getRandomValues(bytes);
  let out = "";
  // Rejection sampling keeps every character equally likely (62 does not divide 256).
  for (const b of bytes) if (b < 248 && out.length < length) out += alphabet[b % 62];
  return out.length === length ? out : generatePassword(length);
}

/** The publishable key, else the legacy anon JWT; the secret key with role service_role, else the legacy service_role JWT. */
export function chooseKeys(keys: any[]): { anonKey?: string; serviceRoleKey?: string } {
  const usable = (k: any) => typeof k?.api_key === "string" && k.api_key && !k.api_key.includes("·");
  const pick = (...preds: ((k: any) => boolean)[]) => {
    for (const p of preds) {
      const hit = keys.find((k) => usable(k) && p(k));
      if (hit) return hit.api_key as string;
    }
    return undefined;
  };
  return {
    anonKey: pick((k) => k.type === "publishable", (k) => k.type === "legacy" && (k.id === "anon" || k.name === "anon")),
    serviceRoleKey: pick(
      (k) => k.type === "secret" && (k.secret_jwt_template?.role ?? "service_role") === "service_role",
      (k) => k.type === "legacy" && (k.id === "service_role" || k.name === "service_role"),
    ),
  };
}

/** Session, transaction and direct URLs from the pooler's PRIMARY entry, the password percent-encoded. */
export function connectionUrls(ref: string, pooler: any, password: string, directHost: string): Pick<ProjectOutputs, "poolerHost" | "poolerUser" | "sessionUrl" | "transactionUrl" | "directUrl"> {
  const host = String(pooler.db_host);
  const user = String(pooler.db_user || `postgres.${ref}`);
  const db = String(pooler.db_name || "postgres");
  const pw = encodeURIComponent(password);
  const url = (u: string, h: string, port: number) => `postgresql://${encodeURIComponent(u)}:${pw}@${h}:${port}/${db}?sslmode=require`;
  return {
    poolerHost: host,
    poolerUser: user,
    // The shared pooler listens for session mode on 5432 and transaction mode on 6543 (CLI link.go rewrites 6543 → 5432).
    sessionUrl: url(user, host, 5432),
    transactionUrl: url(user, host, 6543),
    directUrl: url("postgres", directHost, 5432),
  };
}

export function createProjectProvider(options: ProjectProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  const env = (name: string) => {
    const n = Number(process.env[name]);
    return process.env[name] && Number.isFinite(n) ? n : undefined;
  };
  const pollMs = () => options.pollIntervalMs ?? env("SUPABASE_POLL_INTERVAL_MS") ?? 5000;
  const waitS = () => options.waitTimeoutSeconds ?? env("SUPABASE_WAIT_TIMEOUT_S") ?? 900;
  const poolerS = () => options.poolerTimeoutSeconds ?? env("SUPABASE_POOLER_TIMEOUT_S") ?? 300;

  const getProject = (c: SupabaseClient, ref: string) => c.get<any>(`/v1/projects/${ref}`);

  /** An exact name match in the org, or undefined; `GET /v1/projects` is one unpaginated list. */
  async function findByName(c: SupabaseClient, org: string, name: string): Promise<any | undefined> {
    const all = (await c.get<any[]>("/v1/projects")) ?? [];
    const live = all.filter((p) => (p.organization_slug ?? p.organization_id) === org && p.name === name && p.status !== "REMOVED" && p.status !== "GOING_DOWN");
    // Two with one name (created by hand, or before webstack): keep the oldest, never a third.
    return live.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))[0];
  }

  async function waitStatus(c: SupabaseClient, ref: string, first: string | undefined, target: string): Promise<string> {
    return (await waitFor({
      first,
      next: async () => (await getProject(c, ref)).status as string | undefined,
      done: (s) => s === target,
      fail: (s) => (s && FAILED.includes(s) && s !== target ? `it is ${s}` : s === "INACTIVE" && target !== "INACTIVE" ? "it is paused (INACTIVE)" : undefined),
      describe: (s) => `${s ?? "unknown"} (waiting for ${target})`,
      timeoutSeconds: waitS(),
      pollMs: pollMs(),
    })) as string;
  }

  /** Polls until `get` returns a value: the pooler list and the keys can be empty right after ACTIVE_HEALTHY. */
  async function whenPresent<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
    const v = await waitFor({ first: await get(), next: get, done: (x) => x !== undefined, describe: () => `without ${what}`, timeoutSeconds: poolerS(), pollMs: pollMs() });
    return v as T;
  }

  async function primaryPooler(c: SupabaseClient, ref: string): Promise<any> {
    return whenPresent("a PRIMARY pooler entry", async () => {
      const list = (await c.get<any[]>(`/v1/projects/${ref}/config/database/pooler`)) ?? [];
      return (Array.isArray(list) ? list : []).find((p) => p.database_type === "PRIMARY" && p.db_host);
    });
  }

  async function keys(c: SupabaseClient, ref: string): Promise<{ anonKey: string; serviceRoleKey: string }> {
    return whenPresent("its API keys", async () => {
      const k = chooseKeys((await c.get<any[]>(`/v1/projects/${ref}/api-keys`, { reveal: true })) ?? []);
      return k.anonKey && k.serviceRoleKey ? { anonKey: k.anonKey, serviceRoleKey: k.serviceRoleKey } : undefined;
    });
  }

  async function instanceSize(c: SupabaseClient, ref: string): Promise<string | undefined> {
    try {
      const addons = await c.get<any>(`/v1/projects/${ref}/billing/addons`);
      const id = (addons?.selected_addons ?? []).find((a: any) => a.type === "compute_instance")?.variant?.id;
      return typeof id === "string" ? id.replace(/^ci_/, "") : undefined;
    } catch (err) {
      // Not every plan has billing add-ons to read; the size is then what was asked.
      if (isApiError(err, 404) || isApiError(err, 403)) return undefined;
      throw err;
    }
  }

  /**
   * Everything past the create: healthy, in the asked size and pause state, keys and pooler read.
   * `pw.known` false: the database may hold another password (an adopted project), so it is set
   * once healthy; until that succeeds a partial state records no password, and the next run sets one.
   */
  async function complete(c: SupabaseClient, ref: string, inputs: ProjectInputs, pw: { value: string; known: boolean }, status: string | undefined, olds: Partial<ProjectOutputs> = {}): Promise<ProjectOutputs> {
    const password = pw.value;
    const healthy = async () => {
      status = await waitStatus(c, ref, status, "ACTIVE_HEALTHY");
      if (!pw.known) {
        await c.request("PATCH", `/v1/projects/${ref}/database/password`, { body: { password } });
        pw.known = true;
      }
    };
    if (inputs.paused) {
      if (status !== "INACTIVE") {
        if (status !== "PAUSING") {
          await healthy();
          await c.request("POST", `/v1/projects/${ref}/pause`, { idempotent: true });
        }
        status = await waitStatus(c, ref, "PAUSING", "INACTIVE");
      }
    } else {
      if (status === "INACTIVE") {
        await c.request("POST", `/v1/projects/${ref}/restore`, { idempotent: true });
        status = "RESTORING";
      }
      await healthy();
      if (inputs.instanceSize && inputs.instanceSize !== olds.instanceSize && (await instanceSize(c, ref)) !== inputs.instanceSize) {
        await c.request("PATCH", `/v1/projects/${ref}/billing/addons`, { body: { addon_type: "compute_instance", addon_variant: `ci_${inputs.instanceSize}` } });
        status = await waitStatus(c, ref, "RESIZING", "ACTIVE_HEALTHY");
      }
    }
    const project = await getProject(c, ref);
    const directHost = project.database?.host || `db.${ref}.supabase.co`;
    // A paused project serves no keys or pooler: keep what was read before.
    const k = inputs.paused && olds.anonKey ? { anonKey: olds.anonKey, serviceRoleKey: olds.serviceRoleKey! } : await keys(c, ref);
    const urls = inputs.paused && olds.sessionUrl ? pick(olds) : connectionUrls(ref, await primaryPooler(c, ref), password, directHost);
    return compact({
      ...inputs,
      ref,
      status: project.status ?? status ?? "UNKNOWN",
      apiUrl: projectUrl(ref),
      dbPassword: password,
      ...k,
      ...urls,
      directHost,
      postgresVersion: String(project.database?.postgres_engine ?? project.database?.version ?? ""),
    });
  }

  const pick = (o: Partial<ProjectOutputs>) => ({ poolerHost: o.poolerHost!, poolerUser: o.poolerUser!, sessionUrl: o.sessionUrl!, transactionUrl: o.transactionUrl!, directUrl: o.directUrl! });

  /**
   * POST /v1/projects, with the body the current API documents; an API that refuses
   * `organization_slug` or `region_selection` (whether it still takes only the older fields is
   * unconfirmed) gets the older `organization_id` / `region` instead.
   */
  async function postProject(c: SupabaseClient, inputs: ProjectInputs, password: string): Promise<any> {
    let legacyOrg = false;
    let legacyRegion = false;
    for (;;) {
      const body = compact({
        name: inputs.name,
        db_pass: password,
        ...(legacyOrg ? { organization_id: inputs.organizationSlug } : { organization_slug: inputs.organizationSlug }),
        ...(legacyRegion ? { region: inputs.region } : { region_selection: { type: "specific", code: inputs.region } }),
        desired_instance_size: inputs.instanceSize,
      });
      try {
        return (await c.request<any>("POST", "/v1/projects", { idempotent: false, body })).body;
      } catch (err) {
        const m = isApiError(err, 400) || isApiError(err, 422) ? err.apiMessage : "";
        if (!legacyOrg && /organization_slug/.test(m)) legacyOrg = true;
        else if (!legacyRegion && /region_selection/.test(m)) legacyRegion = true;
        else throw err;
      }
    }
  }

  const provider: pulumi.dynamic.ResourceProvider = {
    configure,
    async check(olds, news) {
      const failures = checkProject(news);
      return { inputs: news, failures };
    },
    async diff(_id, olds, news) {
      return diffProject(olds, news);
    },
    async create(raw) {
      const inputs = raw as ProjectInputs;
      const c = client();
      const password = generatePassword();
      let created: any;
      let adopted = false;
      // Find before every create: a project from an earlier run whose answer was lost is adopted.
      created = await findByName(c, inputs.organizationSlug, inputs.name);
      if (created) adopted = true;
      else {
        created = await postOrFind(
          c,
          () => postProject(c, inputs, password),
          async () => {
            const found = await findByName(c, inputs.organizationSlug, inputs.name);
            if (found) adopted = true;
            return found;
          },
        );
      }
      const ref: string = created.ref ?? created.id;
      // Only this run's POST knows its password, and an adopted project may come from another run: set a new one.
      const pw = { value: adopted ? generatePassword() : password, known: !adopted };
      try {
        const outs = await complete(c, ref, inputs, pw, created.status);
        return { id: ref, outs };
      } catch (err) {
        const partial = { ...inputs, ref, apiUrl: projectUrl(ref), dbPassword: pw.known ? pw.value : undefined, status: created.status ?? "UNKNOWN" };
        throw createdButFailed(`Supabase project '${inputs.name}'`, ref, partial, err);
      }
    },
    async read(id, props) {
      const c = client();
      const project = await getOrGone(c, `/v1/projects/${id}`);
      if (!project) return { id: "", props: {} };
      const olds = props as ProjectOutputs;
      const size = project.status === "ACTIVE_HEALTHY" ? await instanceSize(c, id) : undefined;
      return {
        id,
        props: compact({
          ...olds,
          name: project.name ?? olds.name,
          region: project.region ?? olds.region,
          status: project.status ?? olds.status,
          paused: project.status === "INACTIVE" ? true : olds.paused === undefined ? undefined : false,
          instanceSize: olds.instanceSize === undefined ? undefined : (size ?? olds.instanceSize),
        }),
      };
    },
    async update(id, olds, news) {
      const inputs = news as ProjectInputs;
      const prev = olds as ProjectOutputs;
      const c = client();
      // A partial create that never learnt its password sets one now.
      const pw = prev.dbPassword ? { value: prev.dbPassword, known: true } : { value: generatePassword(), known: false };
      try {
        if (prev.name !== inputs.name) await c.request("PATCH", `/v1/projects/${id}`, { body: { name: inputs.name } });
        const project = await getProject(c, id);
        return { outs: await complete(c, id, inputs, pw, project.status, prev) };
      } catch (err) {
        throw createdButFailed(`Supabase project '${inputs.name}'`, id, { ...prev, ...inputs, ref: id, dbPassword: pw.known ? pw.value : undefined }, err);
      }
    },
    async delete(id, props) {
      const p = props as ProjectOutputs;
      if (p.deletionProtection) {
        throw new Error(`deletion protection is on: the project and its data stay (set deletionProtection: false first to delete it)`);
      }
      const c = client();
      // "Project not ready for deletion." (400) right after a create or while it changes: wait and retry, bounded.
      const attempt = async () => {
        try {
          await c.request("DELETE", `/v1/projects/${id}`);
          return true;
        } catch (err) {
          if (isApiError(err, 404)) return true;
          if (isApiError(err, 400) && /not ready/i.test(err.apiMessage)) return false;
          throw err;
        }
      };
      await waitFor({
        first: await attempt(),
        next: attempt,
        done: (v) => v,
        describe: () => "not ready for deletion",
        timeoutSeconds: waitS(),
        pollMs: pollMs(),
      });
    },
  };
  return namingErrors(provider as any, (props, id) => `Supabase project '${props.name ?? id}'`);
}
