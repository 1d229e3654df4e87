/**
 * The dynamic provider for a Render Postgres database. Like the service provider it runs from a
 * bundle in Pulumi's dynamic-provider host and needs `@pulumi/pulumi` for types only; the
 * resource class is in `postgres-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configurableClient, deleteOrGone, getOrGone, postOrFind, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";
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

export function checkPostgres(news: Record<string, any>): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  for (const k of ["ownerId", "name", "plan", "version", "region"]) {
    if (news[k] === undefined) f.push({ property: k, reason: `${k} is required` });
    else if (news[k] !== UNKNOWN && (typeof news[k] !== "string" || !news[k])) f.push({ property: k, reason: `${k} must be a non-empty string` });
  }
  if (typeof news.ownerId === "string" && news.ownerId !== UNKNOWN && !/^(tea|usr)-[a-z0-9]+$/.test(news.ownerId)) {
    f.push({ property: "ownerId", reason: "ownerId must be a Render workspace id ('tea-…' or 'usr-…')" });
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
    changes: replaces.length + updates.length > 0,
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
  return {
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
  };
}

export function createPostgresProvider(options: PostgresProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return {
    configure,

    async check(_olds: any, news: any) {
      return { inputs: news, failures: checkPostgres(news) };
    },
    async diff(_id: string, olds: PostgresOutputs, news: PostgresInputs) {
      return diffPostgres(olds, news);
    },
    async create(inputs: PostgresInputs) {
      const c = client();
      const pg = await postOrFind<any>(
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
        async () =>
          (await c.list<any>("/postgres", "postgres", { name: inputs.name, ownerId: inputs.ownerId, includeReplicas: false })).find(
            (p) => p.name === inputs.name && p.owner?.id === inputs.ownerId,
          ),
      );
      // Right after create the status is `creating` or `unknown`; connection info comes once it is available.
      const deadline = Date.now() + (options.createTimeoutSeconds ?? 1800) * 1000;
      for (let status = pg.status; status !== "available"; ) {
        if (Date.now() > deadline) throw new Error(`Render Postgres ${pg.id} is still '${status}' after ${options.createTimeoutSeconds ?? 1800} s`);
        await new Promise((r) => setTimeout(r, options.pollIntervalMs ?? (Number(process.env.RENDER_POLL_INTERVAL_MS) || 5000)));
        status = (await c.get<any>(`/postgres/${pg.id}`)).status;
      }
      const outs = (await readPostgres(c, pg.id, { ...inputs, requestedDatabaseName: inputs.databaseName }))!;
      return { id: pg.id, outs };
    },
    async read(id: string, props: PostgresOutputs) {
      const current = await readPostgres(client(), id, props ?? {});
      return current ? { id, props: current } : {};
    },
    async update(id: string, olds: PostgresOutputs, news: PostgresInputs) {
      const c = client();
      const patch: Record<string, unknown> = {};
      if (news.name !== olds.name) patch.name = news.name;
      if (news.plan !== olds.plan) patch.plan = news.plan;
      if (news.diskSizeGB !== undefined && news.diskSizeGB !== olds.diskSizeGB) patch.diskSizeGB = news.diskSizeGB;
      if (Object.keys(patch).length) await c.request("PATCH", `/postgres/${id}`, { body: patch });
      await moveToEnvironment(c, id, olds.environmentId || undefined, news.environmentId || undefined);
      return { outs: { ...olds, ...news, databaseName: olds.databaseName, databaseUser: olds.databaseUser } };
    },
    async delete(id: string) {
      await deleteOrGone(client(), `/postgres/${id}`);
    },
  };
}
