/**
 * The dynamic provider for a Render Postgres database. Like the service provider it runs from a
 * bundle in Pulumi's dynamic-provider host and needs `@pulumi/pulumi` for types only; the
 * resource class is in `postgres-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, waitUntilAvailable, namingErrors, createdButFailed, deleteOrGone, getOrGone, postOrFind, providerChanged, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";
import { NAME_RULES, nameProblem } from "../names";
import { moveToEnvironment } from "./environment-move";

export interface PostgresInputs {
  ownerId: string;
  name: string;
  /** `free` or a flexible plan such as `basic_256mb`; new databases reject the legacy plans. */
  plan: string;
  /** Major version, e.g. "17". Changing it replaces the database. */
  version: string;
  region: string;
  diskSizeGB?: number;
  /** Requested name; Render appends a random suffix (`app` becomes `app_x1y2`). */
  databaseName?: string;
  databaseUser?: string;
  /** Render project environment (`evm-…`) to keep the database in; a change moves it. */
  environmentId?: string;
}

export interface PostgresOutputs extends PostgresInputs {
  /** The database name Render chose (with its suffix). */
  databaseName: string;
  databaseUser: string;
  host: string;
  port: number;
  /** Host name inside Render's private network. */
  internalHost: string;
  password: string;
  externalConnectionString: string;
  internalConnectionString: string;
  dashboardUrl?: string;
  /** The name asked for, kept to tell a rename from Render's suffix. */
  requestedDatabaseName?: string;
}

export interface PostgresProviderOptions {
  client?: RenderClientOptions;
  /** Interval between status polls while the database is being created (ms). Default 5000 (`RENDER_POLL_INTERVAL_MS`). */
  pollIntervalMs?: number;
  /** Bound on waiting for `available` (s). Default 1800. */
  createTimeoutSeconds?: number;
}

export const SECRET_OUTPUTS = ["password", "externalConnectionString", "internalConnectionString"];

/** Render's Postgres storage only grows; a smaller size is refused before anything is changed. */
export function diskShrink(from: unknown, to: unknown): string | undefined {
  if (typeof from === "number" && typeof to === "number" && to < from) {
    return `diskSizeGB cannot shrink from ${from} to ${to}: Render Postgres storage only grows`;
  }
  return undefined;
}

export function checkPostgres(news: Record<string, any>, olds: Record<string, any> = {}): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  const shrink = diskShrink(olds.diskSizeGB, news.diskSizeGB);
  if (shrink) f.push({ property: "diskSizeGB", reason: shrink });
  for (const k of ["ownerId", "name", "plan", "version", "region"]) {
    if (news[k] === undefined) f.push({ property: k, reason: `${k} is required` });
    else if (news[k] !== UNKNOWN && (typeof news[k] !== "string" || !news[k])) f.push({ property: k, reason: `${k} must be a non-empty string` });
  }
  if (typeof news.ownerId === "string" && news.ownerId !== UNKNOWN && !/^(tea|usr)-[a-z0-9]+$/.test(news.ownerId)) {
    f.push({ property: "ownerId", reason: "ownerId must be a Render workspace id ('tea-…' or 'usr-…')" });
  }
  if (typeof news.name === "string" && news.name !== UNKNOWN && nameProblem("render", news.name)) {
    f.push({ property: "name", reason: `name '${news.name}' must be ${NAME_RULES.render.allowed}, at most ${NAME_RULES.render.max} characters` });
  }
  if (typeof news.version === "string" && news.version !== UNKNOWN && !/^\d{2}$/.test(news.version)) f.push({ property: "version", reason: "version must be a major version such as '17'" });
  if (news.diskSizeGB !== undefined && (!Number.isInteger(news.diskSizeGB) || news.diskSizeGB < 1)) f.push({ property: "diskSizeGB", reason: "diskSizeGB must be an integer >= 1" });
  for (const k of ["databaseName", "databaseUser"]) {
    if (news[k] !== undefined && news[k] !== UNKNOWN && !/^[a-z_][a-z0-9_]{0,62}$/.test(news[k])) f.push({ property: k, reason: `${k} must be a lower-case SQL identifier` });
  }
  return f;
}

/** Whether Render's actual database name is the requested one plus its random suffix. */
function sameDatabaseName(requested: string | undefined, actual: string | undefined): boolean {
  if (requested === undefined) return true;
  return actual === requested || (actual !== undefined && new RegExp(`^${requested}_[a-z0-9]+$`).test(actual));
}

export function diffPostgres(olds: Partial<PostgresOutputs>, news: PostgresInputs) {
  const replaces: string[] = [];
  for (const k of ["ownerId", "version", "region"] as const) if (String(olds[k]) !== String(news[k])) replaces.push(k);
  if (news.databaseName !== undefined && !sameDatabaseName(news.databaseName, olds.databaseName)) replaces.push("databaseName");
  if (news.databaseUser !== undefined && news.databaseUser !== olds.databaseUser) replaces.push("databaseUser");
  const updates = (["name", "plan"] as const).filter((k) => olds[k] !== news[k]);
  if ((olds.environmentId || undefined) !== (news.environmentId || undefined)) updates.push("environmentId" as never);
  if (news.diskSizeGB !== undefined && news.diskSizeGB !== olds.diskSizeGB) updates.push("diskSizeGB" as never);
  return {
    changes: replaces.length + updates.length > 0 || providerChanged(olds as any, news as any),
    replaces,
    deleteBeforeReplace: replaces.length > 0 && olds.name === news.name,
  };
}

function hostOf(external: string): { host: string; port: number } {
  const m = /@([^:/]+)(?::(\d+))?\//.exec(external);
  return { host: m?.[1] ?? "", port: Number(m?.[2] ?? 5432) };
}

async function readPostgres(client: RenderClient, id: string, prior: Partial<PostgresOutputs>): Promise<PostgresOutputs | undefined> {
  const pg = await getOrGone(client, `/postgres/${id}`);
  if (!pg) return undefined;
  const info = await client.get<any>(`/postgres/${id}/connection-info`);
  const { host, port } = hostOf(info.externalConnectionString);
  return compact({
    ownerId: pg.owner?.id ?? prior.ownerId,
    name: pg.name,
    plan: pg.plan,
    version: String(pg.version),
    region: pg.region,
    diskSizeGB: prior.diskSizeGB === undefined ? undefined : pg.diskSizeGB,
    databaseName: pg.databaseName,
    databaseUser: pg.databaseUser,
    environmentId: pg.environmentId || undefined,
    requestedDatabaseName: prior.requestedDatabaseName,
    host,
    port,
    internalHost: id,
    password: info.password,
    externalConnectionString: info.externalConnectionString,
    internalConnectionString: info.internalConnectionString,
    dashboardUrl: pg.dashboardUrl,
  });
}

/** Every database with this name in the workspace; names are not documented as unique, so more than one is an error. */
async function findPostgres(client: RenderClient, inputs: Pick<PostgresInputs, "name" | "ownerId">): Promise<any | undefined> {
  const same = (await client.list<any>("/postgres", "postgres", { name: inputs.name, ownerId: inputs.ownerId, includeReplicas: false })).filter(
    (p) => p.name === inputs.name && p.owner?.id === inputs.ownerId,
  );
  if (same.length > 1) {
    throw new Error(`Render has ${same.length} Postgres databases named '${inputs.name}' in ${inputs.ownerId} (${same.map((p) => p.id).join(", ")}); keep one and delete the others`);
  }
  return same[0];
}

export function createPostgresProvider(options: PostgresProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  const pollMs = () => options.pollIntervalMs ?? (Number(process.env.RENDER_POLL_INTERVAL_MS) || 5000);
  const timeoutSeconds = options.createTimeoutSeconds ?? 1800;

  const whenAvailable = (c: RenderClient, id: string, status: string | undefined) => waitUntilAvailable(c, `/postgres/${id}`, status, timeoutSeconds, pollMs());

  /** PATCHes name, plan and disk, and moves environments, as far as they differ. */
  async function converge(c: RenderClient, id: string, olds: Partial<PostgresOutputs>, news: PostgresInputs): Promise<void> {
    const patch: Record<string, unknown> = {};
    if (news.name !== olds.name) patch.name = news.name;
    if (news.plan !== olds.plan) patch.plan = news.plan;
    if (news.diskSizeGB !== undefined && news.diskSizeGB !== olds.diskSizeGB) patch.diskSizeGB = news.diskSizeGB;
    if (Object.keys(patch).length) await c.request("PATCH", `/postgres/${id}`, { body: patch });
    await moveToEnvironment(c, id, olds.environmentId || undefined, news.environmentId || undefined);
  }

  return namingErrors({
    configure,

    async check(olds: any, news: any) {
      return { inputs: news, failures: checkPostgres(news, olds ?? {}) };
    },
    async diff(_id: string, olds: PostgresOutputs, news: PostgresInputs) {
      const shrink = diskShrink(olds.diskSizeGB, news.diskSizeGB);
      if (shrink) throw new Error(`Render Postgres '${news.name}': ${shrink}`);
      return diffPostgres(olds, news);
    },
    async create(inputs: PostgresInputs) {
      const c = client();
      const known = { ...inputs, requestedDatabaseName: inputs.databaseName };
      // Find first: an earlier run may have created it before failing, and a second POST would make a twin.
      const existing = await findPostgres(c, inputs);
      const pg =
        existing ??
        (await postOrFind<any>(
          c,
          async () =>
            (
              await c.request<any>("POST", "/postgres", {
                idempotent: false,
                body: {
                  ownerId: inputs.ownerId,
                  name: inputs.name,
                  plan: inputs.plan,
                  version: inputs.version,
                  region: inputs.region,
                  diskSizeGB: inputs.diskSizeGB,
                  databaseName: inputs.databaseName,
                  databaseUser: inputs.databaseUser,
                  environmentId: inputs.environmentId,
                },
              })
            ).body,
          () => findPostgres(c, inputs),
        ));
      try {
        await whenAvailable(c, pg.id, pg.status);
        if (existing) await converge(c, pg.id, (await readPostgres(c, pg.id, known))!, inputs);
        return { id: pg.id, outs: (await readPostgres(c, pg.id, known))! };
      } catch (err) {
        throw createdButFailed(`Render Postgres '${inputs.name}'`, pg.id, known, err);
      }
    },
    async read(id: string, props: PostgresOutputs) {
      const current = await readPostgres(client(), id, props ?? {});
      return current ? { id, props: current } : {};
    },
    async update(id: string, olds: PostgresOutputs, news: PostgresInputs) {
      const c = client();
      await converge(c, id, olds, news);
      if (olds.internalConnectionString) return { outs: compact({ ...olds, ...news, databaseName: olds.databaseName, databaseUser: olds.databaseUser }) };
      // Recorded by a create that failed before the database was available: finish it.
      try {
        await whenAvailable(c, id, undefined);
        return { outs: (await readPostgres(c, id, { ...news, requestedDatabaseName: olds.requestedDatabaseName ?? news.databaseName }))! };
      } catch (err) {
        throw createdButFailed(`Render Postgres '${news.name}'`, id, { ...olds, ...news }, err);
      }
    },
    async delete(id: string) {
      await deleteOrGone(client(), `/postgres/${id}`);
    },
  }, (p, id) => `Render Postgres '${p.name ?? id}'`);
}
