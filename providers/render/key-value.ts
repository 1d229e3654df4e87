/**
 * The dynamic provider for a Render Key Value instance (Redis/Valkey-compatible; render-day2.md §1).
 * Like the other Render providers it runs from a bundle in Pulumi's dynamic-provider host and needs
 * `@pulumi/pulumi` for types only; the resource class is in `key-value-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  compact,
  configurableClient, waitUntilAvailable,
  createdButFailed,
  deleteOrGone,
  getOrGone,
  isApiError,
  namingErrors,
  postOrFind,
  providerChanged,
  type RenderClient,
  type RenderClientOptions,
  UNKNOWN,
} from "./client";
import { moveToEnvironment } from "./environment-move";
import { parseRedisUrl } from "./redis-url";
import { NAME_RULES, nameProblem } from "../names";

/** The plans in Render's spec, smallest first. Render also resolves custom plans by name, so others pass to Render. */
export const KEY_VALUE_PLANS = ["free", "starter", "standard", "pro", "pro_plus"] as const;
/** The eviction policies, spelled as the REST API spells them (Blueprints use hyphens). */
export const MAXMEMORY_POLICIES = [
  "noeviction",
  "allkeys_lfu",
  "allkeys_lru",
  "allkeys_random",
  "volatile_lfu",
  "volatile_lru",
  "volatile_random",
  "volatile_ttl",
] as const;
export const KEY_VALUE_REGIONS = ["frankfurt", "ohio", "oregon", "singapore", "virginia"] as const;

/** Who may connect from outside Render's private network. */
export interface IpAllowEntry {
  /** IPv4 block allowed in. @example "203.0.113.0/24" */
  cidrBlock: string;
  /** Who that is, shown in Render's dashboard. @example "office" */
  description: string;
}

export interface KeyValueInputs {
  ownerId: string;
  /** Name in the workspace, e.g. `ott-prod-cache`. */
  name: string;
  /** `free`, `starter`, `standard`, `pro`, `pro_plus`, or a custom plan Render knows. Plans only go up. */
  plan: string;
  /** Changing it replaces the instance (Render cannot move one). */
  region: string;
  /** Left to Render when unset; webstack always sets it. */
  maxmemoryPolicy?: string;
  /** Empty (the default): internal connections only. */
  ipAllowList?: IpAllowEntry[];
  /** Render project environment (`evm-…`); a change moves the instance. */
  environmentId?: string;
}

export interface KeyValueOutputs extends KeyValueInputs {
  ipAllowList: IpAllowEntry[];
  /** Render's status, e.g. `available`; `creating` for a while after a plan change. */
  status: string;
  /** Server version, e.g. `8.1.4` (Valkey). */
  version?: string;
  /** Host and port inside Render's private network (same region), from the internal connection string. */
  internalHost: string;
  internalPort: number;
  /** External (TLS) endpoint, reachable from the addresses in `ipAllowList`. */
  host: string;
  port: number;
  /** The ACL user of the external connection (Render's is the instance id). */
  username?: string;
  /** The external connection's password. */
  password?: string;
  internalConnectionString: string;
  externalConnectionString: string;
}

export interface KeyValueProviderOptions {
  client?: RenderClientOptions;
  /** Interval between status polls while the instance is being created (ms). Default 3000 (`RENDER_POLL_INTERVAL_MS`). */
  pollIntervalMs?: number;
  /** Bound on waiting for `available` (s). Default 1800. */
  createTimeoutSeconds?: number;
}

export const SECRET_OUTPUTS = ["password", "internalConnectionString", "externalConnectionString"];

type Failure = { property: string; reason: string };

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function validCidr(v: unknown): boolean {
  const m = typeof v === "string" ? CIDR.exec(v) : null;
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** Render's plans only go up (render-day2.md §1); what it answers to a downgrade is unconfirmed, so it is refused first. */
export function planDowngrade(from: unknown, to: unknown): string | undefined {
  const rank = (p: unknown) => KEY_VALUE_PLANS.indexOf(p as (typeof KEY_VALUE_PLANS)[number]);
  if (rank(from) >= 0 && rank(to) >= 0 && rank(to) < rank(from)) {
    return `plan cannot go down from '${from}' to '${to}': Render Key Value plans only go up (create a new instance instead)`;
  }
  return undefined;
}

export function checkKeyValue(news: Record<string, any>, olds: Record<string, any> = {}): Failure[] {
  const f: Failure[] = [];
  const known = (k: string) => news[k] !== undefined && news[k] !== UNKNOWN;
  for (const k of ["ownerId", "name", "plan", "region"]) {
    if (news[k] === undefined) f.push({ property: k, reason: `${k} is required` });
    else if (known(k) && (typeof news[k] !== "string" || !news[k])) f.push({ property: k, reason: `${k} must be a non-empty string` });
  }
  if (known("ownerId") && !/^(tea|usr)-[a-z0-9]+$/.test(String(news.ownerId))) f.push({ property: "ownerId", reason: "ownerId must be a Render workspace id ('tea-…' or 'usr-…')" });
  if (known("name") && nameProblem("render", String(news.name))) {
    f.push({ property: "name", reason: `name '${news.name}' must be ${NAME_RULES.render.allowed}, at most ${NAME_RULES.render.max} characters` });
  }
  if (known("region") && !(KEY_VALUE_REGIONS as readonly string[]).includes(news.region)) f.push({ property: "region", reason: `region must be one of ${KEY_VALUE_REGIONS.join(", ")}` });
  const down = planDowngrade(olds.plan, news.plan);
  if (down) f.push({ property: "plan", reason: down });
  if (known("maxmemoryPolicy") && !(MAXMEMORY_POLICIES as readonly string[]).includes(news.maxmemoryPolicy)) {
    const underscored = String(news.maxmemoryPolicy).replace(/-/g, "_");
    f.push({
      property: "maxmemoryPolicy",
      reason: (MAXMEMORY_POLICIES as readonly string[]).includes(underscored)
        ? `maxmemoryPolicy '${news.maxmemoryPolicy}': the API spells it '${underscored}' (Blueprints use hyphens)`
        : `maxmemoryPolicy must be one of ${MAXMEMORY_POLICIES.join(", ")}`,
    });
  }
  if (known("ipAllowList")) {
    if (!Array.isArray(news.ipAllowList)) f.push({ property: "ipAllowList", reason: "ipAllowList must be a list of {cidrBlock, description}" });
    else {
      news.ipAllowList.forEach((e: any, i: number) => {
        if (e === UNKNOWN) return;
        if (e?.cidrBlock !== UNKNOWN && !validCidr(e?.cidrBlock)) f.push({ property: "ipAllowList", reason: `ipAllowList[${i}].cidrBlock must be an IPv4 CIDR block such as '203.0.113.0/24'` });
        if (e?.description !== UNKNOWN && (typeof e?.description !== "string" || !e.description)) f.push({ property: "ipAllowList", reason: `ipAllowList[${i}].description is required` });
      });
    }
  }
  if (known("environmentId") && !/^evm-[a-z0-9]+$/.test(String(news.environmentId))) f.push({ property: "environmentId", reason: "environmentId must be a Render environment id ('evm-…')" });
  return f;
}

/** The allow list as Render holds it: an empty one reads back as `null`. */
function allowList(v: IpAllowEntry[] | null | undefined): IpAllowEntry[] {
  return (v ?? []).map((e) => ({ cidrBlock: e.cidrBlock, description: e.description }));
}

const sameList = (a: IpAllowEntry[] | null | undefined, b: IpAllowEntry[] | null | undefined) =>
  JSON.stringify(allowList(a).map((e) => [e.cidrBlock, e.description]).sort()) === JSON.stringify(allowList(b).map((e) => [e.cidrBlock, e.description]).sort());

export function diffKeyValue(olds: Partial<KeyValueOutputs>, news: KeyValueInputs) {
  const replaces = (["ownerId", "region"] as const).filter((k) => olds[k] !== news[k]);
  const updates: string[] = (["name", "plan"] as const).filter((k) => olds[k] !== news[k]);
  if (news.maxmemoryPolicy !== undefined && news.maxmemoryPolicy !== olds.maxmemoryPolicy) updates.push("maxmemoryPolicy");
  if (!sameList(olds.ipAllowList, news.ipAllowList)) updates.push("ipAllowList");
  if ((olds.environmentId || undefined) !== (news.environmentId || undefined)) updates.push("environmentId");
  return {
    changes: replaces.length + updates.length > 0 || providerChanged(olds as any, news as any),
    replaces,
    // Names may be unique per workspace: a replacement that keeps its name deletes first.
    deleteBeforeReplace: replaces.length > 0 && olds.name === news.name,
  };
}

/** The instance and its connection info: two GETs. */
async function readKeyValue(client: RenderClient, id: string, prior: Partial<KeyValueInputs>): Promise<KeyValueOutputs | undefined> {
  const kv = await getOrGone(client, `/key-value/${id}`);
  if (!kv) return undefined;
  const info = await client.get<any>(`/key-value/${id}/connection-info`);
  const internal = parseRedisUrl(info.internalConnectionString);
  const external = parseRedisUrl(info.externalConnectionString);
  return compact({
    ownerId: kv.owner?.id ?? kv.ownerId ?? prior.ownerId,
    name: kv.name,
    plan: kv.plan,
    region: kv.region,
    maxmemoryPolicy: kv.options?.maxmemoryPolicy ?? prior.maxmemoryPolicy,
    ipAllowList: allowList(kv.ipAllowList),
    environmentId: kv.environmentId || undefined,
    status: kv.status,
    version: kv.version,
    internalHost: internal.host,
    internalPort: internal.port,
    host: external.host,
    port: external.port,
    username: external.username,
    password: external.password,
    internalConnectionString: info.internalConnectionString,
    externalConnectionString: info.externalConnectionString,
  });
}

/** Every instance with this name in the workspace; names are not documented as unique, so more than one is an error. */
async function findKeyValue(client: RenderClient, inputs: Pick<KeyValueInputs, "name" | "ownerId">): Promise<any | undefined> {
  const same = (await client.list<any>("/key-value", "keyValue", { name: inputs.name, ownerId: inputs.ownerId })).filter(
    (k) => k.name === inputs.name && (k.owner?.id ?? k.ownerId) === inputs.ownerId,
  );
  if (same.length > 1) {
    throw new Error(`Render has ${same.length} Key Value instances named '${inputs.name}' in ${inputs.ownerId} (${same.map((k) => k.id).join(", ")}); keep one and delete the others`);
  }
  return same[0];
}

/**
 * A plan Render refuses (402: payment info required; or a 400 that names the plan) reaches the user
 * as Render's message under the key, like a check failure: `plan: Render refused 'pro_max': …`.
 */
function planRefused(err: unknown, plan: string | undefined): unknown {
  if (plan === undefined || !isApiError(err)) return err;
  if (err.status === 402 || (err.status === 400 && /plan/i.test(err.renderMessage))) {
    const e = new Error(`plan: Render refused '${plan}': ${err.message}`);
    return Object.assign(e, { cause: err });
  }
  return err;
}

export function createKeyValueProvider(options: KeyValueProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  const pollMs = () => options.pollIntervalMs ?? (Number(process.env.RENDER_POLL_INTERVAL_MS) || 3000);
  const timeoutSeconds = options.createTimeoutSeconds ?? 1800;

  const whenAvailable = (c: RenderClient, id: string, status: string | undefined) => waitUntilAvailable(c, `/key-value/${id}`, status, timeoutSeconds, pollMs());

  /** PATCHes what differs (name, plan, policy, allow list) and moves environments. */
  async function converge(c: RenderClient, id: string, olds: Partial<KeyValueOutputs>, news: KeyValueInputs): Promise<void> {
    const patch: Record<string, unknown> = {};
    if (news.name !== olds.name) patch.name = news.name;
    if (news.plan !== olds.plan) patch.plan = news.plan;
    if (news.maxmemoryPolicy !== undefined && news.maxmemoryPolicy !== olds.maxmemoryPolicy) patch.maxmemoryPolicy = news.maxmemoryPolicy;
    if (!sameList(olds.ipAllowList, news.ipAllowList)) patch.ipAllowList = allowList(news.ipAllowList);
    if (Object.keys(patch).length) {
      try {
        await c.request("PATCH", `/key-value/${id}`, { body: patch });
      } catch (err) {
        throw planRefused(err, patch.plan as string | undefined);
      }
    }
    await moveToEnvironment(c, id, olds.environmentId || undefined, news.environmentId || undefined);
  }

  return namingErrors(
    {
      configure,

      async check(olds: any, news: any) {
        return { inputs: news, failures: checkKeyValue(news, olds ?? {}) };
      },

      async diff(_id: string, olds: KeyValueOutputs, news: KeyValueInputs) {
        const down = planDowngrade(olds.plan, news.plan);
        if (down) throw new Error(`Render Key Value '${news.name}': ${down}`);
        return diffKeyValue(olds, news);
      },

      async create(inputs: KeyValueInputs) {
        const c = client();
        let created: any;
        let kv: any;
        try {
          // Find first: an earlier run may have created it before its answer was lost.
          kv =
            (await findKeyValue(c, inputs)) ??
            (await postOrFind<any>(
              c,
              async () =>
                (created = (
                  await c.request<any>("POST", "/key-value", {
                    idempotent: false,
                    body: {
                      ownerId: inputs.ownerId,
                      name: inputs.name,
                      plan: inputs.plan,
                      region: inputs.region,
                      maxmemoryPolicy: inputs.maxmemoryPolicy,
                      // Sent even when empty: Render's default for a missing list is undocumented.
                      ipAllowList: allowList(inputs.ipAllowList),
                      environmentId: inputs.environmentId,
                    },
                  })
                ).body),
              () => findKeyValue(c, inputs),
            ));
        } catch (err) {
          throw planRefused(err, inputs.plan);
        }
        try {
          await whenAvailable(c, kv.id, kv.status);
          // Adopted (found by name): bring it to the desired state.
          if (kv !== created) await converge(c, kv.id, (await readKeyValue(c, kv.id, inputs))!, inputs);
          return { id: kv.id, outs: (await readKeyValue(c, kv.id, inputs))! };
        } catch (err) {
          throw createdButFailed(`Render Key Value '${inputs.name}'`, kv.id, { ...inputs, ipAllowList: allowList(inputs.ipAllowList) }, err);
        }
      },

      async read(id: string, props: KeyValueOutputs) {
        const current = await readKeyValue(client(), id, props ?? {});
        return current ? { id, props: current } : {};
      },

      async update(id: string, olds: KeyValueOutputs, news: KeyValueInputs) {
        const c = client();
        await converge(c, id, olds, news);
        const outs = { ...olds, ...news, ipAllowList: allowList(news.ipAllowList) };
        if (olds.internalConnectionString) return { outs: compact(outs) };
        // Recorded by a create that failed before the connection info was read: finish it.
        try {
          await whenAvailable(c, id, undefined);
          return { outs: (await readKeyValue(c, id, news))! };
        } catch (err) {
          throw createdButFailed(`Render Key Value '${news.name}'`, id, outs, err);
        }
      },

      async delete(id: string) {
        await deleteOrGone(client(), `/key-value/${id}`);
      },
    },
    (p, id) => `Render Key Value '${p.name ?? id}'`,
  );
}
