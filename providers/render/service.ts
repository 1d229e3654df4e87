/**
 * The dynamic provider for a Render service (web service, private service, background worker or
 * cron job). It runs in Pulumi's dynamic-provider host from the bundle `provider-source.ts` makes,
 * so it must not need `@pulumi/pulumi` at run time: types only. The resource class that
 * programs use is in `service-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configurableClient, deleteOrGone, getOrGone, isApiError, postOrFind, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";
import { moveToEnvironment } from "./environment-move";

export const SERVICE_TYPES = ["web_service", "private_service", "background_worker", "cron_job"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface AutoscalingSpec {
  min: number;
  max: number;
  /** Target CPU utilisation, 1–90 %. */
  cpuPercent?: number;
  /** Target memory utilisation, 1–90 %. */
  memoryPercent?: number;
}

export interface DiskSpec {
  name: string;
  mountPath: string;
  sizeGB: number;
}

/** Plain inputs the provider receives (after Pulumi resolved every Input). */
export interface ServiceInputs {
  ownerId: string;
  name: string;
  type: ServiceType;
  repo?: string;
  branch?: string;
  rootDir?: string;
  autoDeploy?: boolean;
  runtime: string;
  buildCommand?: string;
  startCommand?: string;
  preDeployCommand?: string;
  dockerCommand?: string;
  dockerfilePath?: string;
  dockerContext?: string;
  /** Cron jobs only. */
  schedule?: string;
  /** Web services only. */
  healthCheckPath?: string;
  plan?: string;
  region?: string;
  numInstances?: number;
  autoscaling?: AutoscalingSpec;
  disk?: DiskSpec;
  /** Service env vars, managed as a whole (`PUT …/env-vars`). */
  envVars?: Record<string, string>;
  /** Render project environment (`evm-…`) to keep the service in; a change moves it. */
  environmentId?: string;
  /** Wait for the deploy that follows a change to go live. */
  waitForLive?: boolean;
  /** Bound on that wait, in seconds (default 1800). */
  deployTimeoutSeconds?: number;
}

export interface ServiceOutputs extends ServiceInputs {
  url?: string;
  slug?: string;
  dashboardUrl?: string;
  diskId?: string;
  /** The deploy started by the last create or update, if any. */
  deployId?: string;
}

export interface ServiceProviderOptions {
  client?: RenderClientOptions;
  /** First interval between deploy status polls (ms); grows ×1.2 to 15 s. Default 3000 (`RENDER_POLL_INTERVAL_MS`). */
  pollIntervalMs?: number;
}

// The value Pulumi passes for inputs not known yet during preview.

const REPLACE_FIELDS = ["type", "ownerId", "region"] as const;
const PATCH_FIELDS = [
  "name", "repo", "branch", "rootDir", "autoDeploy", "runtime", "buildCommand", "startCommand", "preDeployCommand",
  "dockerCommand", "dockerfilePath", "dockerContext", "schedule", "healthCheckPath", "plan",
] as const;
const NATIVE_RUNTIMES = ["node", "python", "go", "ruby", "rust", "elixir"];

function hasUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** Stable JSON for comparisons: sorted keys, no undefined. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The desired state with Render's defaults filled in, so an unset field and its default compare
 * equal, and the fields Render computes (instances under autoscaling) are left out.
 */
export function normalizeService(i: Partial<ServiceInputs>): Record<string, unknown> {
  const web = i.type === "web_service";
  const scalable = i.type !== "cron_job";
  return {
    ownerId: i.ownerId,
    name: i.name,
    type: i.type,
    repo: i.repo,
    branch: i.branch,
    rootDir: i.rootDir || undefined,
    autoDeploy: i.autoDeploy ?? true,
    runtime: i.runtime,
    buildCommand: i.buildCommand,
    startCommand: i.startCommand,
    preDeployCommand: i.preDeployCommand || undefined,
    dockerCommand: i.dockerCommand || undefined,
    // Render fills these in for docker services.
    dockerfilePath: i.runtime === "docker" ? i.dockerfilePath || "./Dockerfile" : i.dockerfilePath || undefined,
    dockerContext: i.runtime === "docker" ? i.dockerContext || "." : i.dockerContext || undefined,
    schedule: i.schedule,
    healthCheckPath: web ? i.healthCheckPath || undefined : undefined,
    plan: i.plan ?? "starter",
    region: i.region ?? "oregon",
    numInstances: scalable && !i.autoscaling ? (i.numInstances ?? 1) : undefined,
    autoscaling: scalable && i.autoscaling ? i.autoscaling : undefined,
    disk: i.disk,
    envVars: i.envVars ?? {},
    environmentId: i.environmentId || undefined,
  };
}

export function checkService(news: Record<string, any>): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  const known = (k: string) => news[k] !== undefined && !hasUnknown(news[k]);
  const str = (k: string, required: boolean) => {
    if (news[k] === undefined) {
      if (required) f.push({ property: k, reason: `${k} is required` });
    } else if (known(k) && (typeof news[k] !== "string" || news[k] === "")) f.push({ property: k, reason: `${k} must be a non-empty string` });
  };
  str("ownerId", true);
  str("name", true);
  str("runtime", true);
  if (news.type === undefined) f.push({ property: "type", reason: `type is required: one of ${SERVICE_TYPES.join(", ")}` });
  for (const k of ["repo", "branch", "rootDir", "buildCommand", "startCommand", "schedule", "plan", "region", "healthCheckPath"]) str(k, false);
  if (known("environmentId") && !/^evm-[a-z0-9]+$/.test(String(news.environmentId))) {
    f.push({ property: "environmentId", reason: "environmentId must be a Render environment id ('evm-…')" });
  }
  if (known("ownerId") && !/^(tea|usr)-[a-z0-9]+$/.test(news.ownerId)) f.push({ property: "ownerId", reason: "ownerId must be a Render workspace id ('tea-…' or 'usr-…')" });
  if (known("name") && (news.name.length > 100 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(news.name))) {
    f.push({ property: "name", reason: `name '${news.name}' must be letters, digits, '-', '_' or '.', at most 100 characters` });
  }
  if (known("type") && !SERVICE_TYPES.includes(news.type)) f.push({ property: "type", reason: `type must be one of ${SERVICE_TYPES.join(", ")}` });
  if (known("repo") && !/^https:\/\/\S+$/.test(news.repo)) f.push({ property: "repo", reason: "repo must be an https Git URL without a branch" });
  if (known("runtime") && NATIVE_RUNTIMES.includes(news.runtime)) {
    for (const k of ["buildCommand", "startCommand"]) if (news[k] === undefined) f.push({ property: k, reason: `${k} is required for the '${news.runtime}' runtime` });
  }
  if (news.type === "cron_job" && news.schedule === undefined) f.push({ property: "schedule", reason: "schedule is required for a cron job" });
  if (news.type !== "cron_job" && news.schedule !== undefined) f.push({ property: "schedule", reason: "schedule is only valid for a cron job" });
  if (news.healthCheckPath !== undefined && news.type !== "web_service") f.push({ property: "healthCheckPath", reason: "healthCheckPath is only valid for a web service" });
  if (known("healthCheckPath") && !news.healthCheckPath.startsWith("/")) f.push({ property: "healthCheckPath", reason: "healthCheckPath must start with '/'" });
  if (known("numInstances") && (!Number.isInteger(news.numInstances) || news.numInstances < 1 || news.numInstances > 100)) {
    f.push({ property: "numInstances", reason: "numInstances must be an integer from 1 to 100" });
  }
  if (known("autoscaling")) {
    const a = news.autoscaling;
    const pct = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 90);
    if (news.numInstances !== undefined) f.push({ property: "autoscaling", reason: "set either numInstances or autoscaling, not both" });
    if (!Number.isInteger(a.min) || !Number.isInteger(a.max) || a.min < 1 || a.max > 100 || a.min > a.max) {
      f.push({ property: "autoscaling", reason: "autoscaling needs integers 1 <= min <= max <= 100" });
    }
    if (!pct(a.cpuPercent) || !pct(a.memoryPercent)) f.push({ property: "autoscaling", reason: "autoscaling targets must be 1–90 %" });
    if (a.cpuPercent === undefined && a.memoryPercent === undefined) f.push({ property: "autoscaling", reason: "autoscaling needs cpuPercent or memoryPercent" });
  }
  if (known("disk")) {
    const d = news.disk;
    if (typeof d.name !== "string" || !d.name || typeof d.mountPath !== "string" || !d.mountPath.startsWith("/") || !Number.isInteger(d.sizeGB) || d.sizeGB < 1) {
      f.push({ property: "disk", reason: "disk needs a name, an absolute mountPath and an integer sizeGB >= 1" });
    }
    if ((news.numInstances ?? 1) > 1 || news.autoscaling) f.push({ property: "disk", reason: "a service with a disk runs exactly one instance" });
  }
  if (known("envVars")) {
    if (typeof news.envVars !== "object" || Array.isArray(news.envVars)) f.push({ property: "envVars", reason: "envVars must be a map of names to strings" });
    else {
      for (const [k, v] of Object.entries(news.envVars)) {
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k)) f.push({ property: "envVars", reason: `env var name '${k}' is not valid` });
        // Name the key only: the value may be a secret.
        if (typeof v !== "string") f.push({ property: "envVars", reason: `env var '${k}' must be a string` });
      }
    }
  }
  return f;
}

export function diffService(olds: Partial<ServiceInputs>, news: Partial<ServiceInputs>): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const a = normalizeService(olds);
  const b = normalizeService(news);
  const changed = Object.keys(b).filter((k) => hasUnknown(b[k]) || canon(a[k]) !== canon(b[k]));
  const replaces = changed.filter((k) => (REPLACE_FIELDS as readonly string[]).includes(k));
  // Names are unique per workspace, so a replacement that keeps its name must delete first.
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && a.name === b.name };
}

function envVarList(vars: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(vars ?? {})
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

function autoscalingBody(a: AutoscalingSpec) {
  return {
    enabled: true,
    min: a.min,
    max: a.max,
    criteria: {
      cpu: { enabled: a.cpuPercent !== undefined, percentage: a.cpuPercent ?? 70 },
      memory: { enabled: a.memoryPercent !== undefined, percentage: a.memoryPercent ?? 70 },
    },
  };
}

function envSpecific(i: Partial<ServiceInputs>) {
  return i.runtime === "docker" || i.runtime === "image"
    ? { dockerCommand: i.dockerCommand, dockerfilePath: i.dockerfilePath, dockerContext: i.dockerContext }
    : { buildCommand: i.buildCommand, startCommand: i.startCommand };
}

function createBody(i: ServiceInputs) {
  const n = normalizeService(i);
  return {
    type: i.type,
    name: i.name,
    ownerId: i.ownerId,
    repo: i.repo,
    branch: i.branch,
    rootDir: i.rootDir,
    autoDeploy: n.autoDeploy ? "yes" : "no",
    environmentId: i.environmentId,
    envVars: envVarList(i.envVars),
    serviceDetails: {
      runtime: i.runtime,
      plan: n.plan,
      region: n.region,
      schedule: i.schedule,
      healthCheckPath: n.healthCheckPath,
      preDeployCommand: n.preDeployCommand,
      numInstances: n.numInstances,
      autoscaling: i.autoscaling && i.type !== "cron_job" ? autoscalingBody(i.autoscaling) : undefined,
      disk: i.disk,
      envSpecificDetails: envSpecific(i),
    },
  };
}

/** Maps Render's Service (plus its env vars) back onto the input shape, undoing the read quirks. */
export function serviceFromApi(s: any, envVars: { key: string; value: string }[] | undefined, prior: Partial<ServiceOutputs>): ServiceOutputs {
  const d = s.serviceDetails ?? {};
  const esd = d.envSpecificDetails ?? {};
  return {
    // Settings that only steer the provider are not on Render's side.
    waitForLive: prior.waitForLive,
    deployTimeoutSeconds: prior.deployTimeoutSeconds,
    deployId: prior.deployId,
    ownerId: s.ownerId,
    name: s.name,
    type: s.type,
    repo: s.repo,
    branch: prior.branch === undefined && s.branch === "main" ? undefined : s.branch,
    rootDir: s.rootDir || undefined,
    autoDeploy: s.autoDeploy !== "no",
    runtime: d.runtime ?? d.env,
    buildCommand: esd.buildCommand,
    startCommand: esd.startCommand,
    // POST and PATCH take it in serviceDetails; GET returns it inside envSpecificDetails.
    preDeployCommand: esd.preDeployCommand ?? d.preDeployCommand ?? undefined,
    dockerCommand: esd.dockerCommand || undefined,
    dockerfilePath: esd.dockerfilePath || undefined,
    dockerContext: esd.dockerContext || undefined,
    schedule: d.schedule,
    healthCheckPath: d.healthCheckPath || undefined,
    plan: d.plan,
    region: d.region,
    // Under autoscaling numInstances is the manual count, not what runs: not drift.
    numInstances: d.autoscaling?.enabled ? undefined : d.numInstances,
    autoscaling: d.autoscaling?.enabled
      ? {
          min: d.autoscaling.min,
          max: d.autoscaling.max,
          cpuPercent: d.autoscaling.criteria?.cpu?.enabled ? d.autoscaling.criteria.cpu.percentage : undefined,
          memoryPercent: d.autoscaling.criteria?.memory?.enabled ? d.autoscaling.criteria.memory.percentage : undefined,
        }
      : undefined,
    disk: d.disk ? { name: d.disk.name, mountPath: d.disk.mountPath, sizeGB: d.disk.sizeGB } : undefined,
    diskId: d.disk?.id,
    envVars: envVars === undefined ? prior.envVars : Object.fromEntries(envVars.map((e) => [e.key, e.value])),
    environmentId: s.environmentId || undefined,
    url: d.url,
    slug: s.slug,
    dashboardUrl: s.dashboardUrl,
  };
}

async function findService(client: RenderClient, i: Pick<ServiceInputs, "name" | "ownerId" | "type">): Promise<any | undefined> {
  const found = await client.list<any>("/services", "service", {
    name: i.name,
    ownerId: i.ownerId,
    type: i.type,
    includePreviews: false,
  });
  // The name filter may not be exact; the natural key is.
  const exact = found.filter((s) => s.name === i.name && s.ownerId === i.ownerId && s.type === i.type);
  if (exact.length > 1) throw new Error(`Render has ${exact.length} services named '${i.name}' of type ${i.type} in ${i.ownerId}; remove the extras`);
  return exact[0];
}

async function readService(client: RenderClient, id: string, prior: Partial<ServiceOutputs>): Promise<ServiceOutputs | undefined> {
  const s = await getOrGone(client, `/services/${id}`);
  if (!s) return undefined;
  const envVars = await client.list<{ key: string; value: string }>(`/services/${id}/env-vars`, "envVar");
  return serviceFromApi(s, envVars, prior);
}

async function waitForDeploy(client: RenderClient, id: string, deployId: string, timeoutSeconds: number, firstPollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let interval = firstPollMs;
  for (;;) {
    const dep = await client.get<any>(`/services/${id}/deploys/${deployId}`);
    if (dep.status === "live") return;
    if (["build_failed", "update_failed", "pre_deploy_failed", "canceled", "deactivated"].includes(dep.status)) {
      const what = { build_failed: "the build failed", update_failed: "the new version failed to start", pre_deploy_failed: "the pre-deploy command failed" }[dep.status as string] ?? dep.status;
      throw new Error(`Render deploy ${deployId} of service ${id} ended in '${dep.status}': ${what}; see the deploy logs in the Render dashboard`);
    }
    if (Date.now() + interval > deadline) throw new Error(`Render deploy ${deployId} of service ${id} is still '${dep.status}' after ${timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(15_000, interval * 1.2);
  }
}

/**
 * Moves a service from `olds` to `news` with Render's separate endpoints, in Render's order
 * (scale, autoscaling, PATCH, env vars, disk, environment), then one deploy if anything that needs
 * a deploy changed.
 */
async function converge(
  client: RenderClient,
  id: string,
  olds: Partial<ServiceOutputs>,
  news: ServiceInputs,
  pollMs: number,
): Promise<{ deployId?: string; diskId?: string }> {
  const a = normalizeService(olds);
  const b = normalizeService(news);
  const changed = (k: string) => canon(a[k]) !== canon(b[k]);
  let needsDeploy = false;
  let diskId = olds.diskId;

  if (b.numInstances !== undefined && changed("numInstances") && !news.autoscaling) {
    // Autoscaling goes first when it is turned off, so the scale takes effect.
    if (olds.autoscaling) await client.request("DELETE", `/services/${id}/autoscaling`);
    await client.request("POST", `/services/${id}/scale`, { body: { numInstances: b.numInstances }, idempotent: true });
  } else if (olds.autoscaling && !news.autoscaling && news.type !== "cron_job") {
    await client.request("DELETE", `/services/${id}/autoscaling`);
  }
  if (news.autoscaling && changed("autoscaling")) {
    await client.request("PUT", `/services/${id}/autoscaling`, { body: autoscalingBody(news.autoscaling) });
  }

  const patch: Record<string, any> = {};
  const details: Record<string, any> = {};
  for (const k of PATCH_FIELDS) {
    if (!changed(k)) continue;
    if (k === "name" || k === "repo" || k === "branch" || k === "rootDir") patch[k] = b[k] ?? "";
    else if (k === "autoDeploy") patch.autoDeploy = b.autoDeploy ? "yes" : "no";
    else if (["buildCommand", "startCommand", "dockerCommand", "dockerfilePath", "dockerContext"].includes(k)) {
      details.envSpecificDetails = envSpecific(news);
    } else details[k] = b[k] ?? "";
  }
  if (Object.keys(details).length) patch.serviceDetails = details;
  if (Object.keys(patch).length) {
    await client.request("PATCH", `/services/${id}`, { body: patch });
    needsDeploy = true;
  }

  if (changed("envVars")) {
    await client.request("PUT", `/services/${id}/env-vars`, { body: envVarList(news.envVars) });
    needsDeploy = true;
  }

  if (changed("disk")) {
    if (news.disk && diskId) {
      await client.request("PATCH", `/disks/${diskId}`, { body: news.disk });
    } else if (news.disk) {
      const disk = await postOrFind<any>(
        async () => (await client.request<any>("POST", "/disks", { body: { ...news.disk, serviceId: id }, idempotent: false })).body,
        async () => {
          const d = (await client.get<any>(`/services/${id}`)).serviceDetails?.disk;
          return d?.name === news.disk!.name ? d : undefined;
        },
      );
      diskId = disk.id;
    } else if (diskId) {
      await deleteOrGone(client, `/disks/${diskId}`);
      diskId = undefined;
    }
    needsDeploy = true;
  }

  // Which environment a service sits in needs no deploy.
  if (changed("environmentId")) await moveToEnvironment(client, id, olds.environmentId, news.environmentId);

  if (!needsDeploy) return { diskId };
  // Deploying twice after a lost answer is harmless; Render queues the second one.
  let dep: any;
  try {
    dep = (await client.request<any>("POST", `/services/${id}/deploys`, { body: { clearCache: "do_not_clear" }, idempotent: true })).body;
  } catch (err) {
    // A suspended service cannot deploy; the changes are saved and go live when it resumes.
    if (!isApiError(err, 409) || (await client.get<any>(`/services/${id}`)).suspended !== "suspended") throw err;
    return { diskId };
  }
  if (news.waitForLive && dep?.id) await waitForDeploy(client, id, dep.id, news.deployTimeoutSeconds ?? 1800, pollMs);
  return { deployId: dep?.id, diskId };
}

/** Builds a provider; tests pass options, the bundle in state uses the defaults. */
export function createServiceProvider(options: ServiceProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  // Read per call: the environment of `pulumi up`, where the provider runs.
  const pollMs = () => options.pollIntervalMs ?? (Number(process.env.RENDER_POLL_INTERVAL_MS) || 3000);
  return {
    configure,

    async check(_olds: any, news: any) {
      const failures = checkService(news);
      return { inputs: news, failures };
    },

    async diff(_id: string, olds: ServiceOutputs, news: ServiceInputs) {
      return diffService(olds, news);
    },

    async create(inputs: ServiceInputs) {
      const c = client();
      let created: any;
      const found = await postOrFind<any>(
        async () => (created = (await c.request<any>("POST", "/services", { body: createBody(inputs), idempotent: false })).body),
        () => findService(c, inputs),
      );
      const adopted = created ? undefined : found;
      if (created) {
        const s = created.service;
        const out = serviceFromApi(s, envVarList(inputs.envVars), inputs);
        if (inputs.waitForLive && created.deployId) await waitForDeploy(c, s.id, created.deployId, inputs.deployTimeoutSeconds ?? 1800, pollMs());
        return { id: s.id, outs: { ...inputs, ...out, envVars: inputs.envVars, deployId: created.deployId } };
      }
      // Adopted: bring what exists to the desired state with the update path.
      const current = (await readService(c, adopted.id, inputs))!;
      const done = await converge(c, adopted.id, current, inputs, pollMs());
      const after = serviceFromApi(adopted, undefined, current);
      return { id: adopted.id, outs: { ...inputs, url: after.url, slug: after.slug, dashboardUrl: after.dashboardUrl, diskId: done.diskId, deployId: done.deployId } };
    },

    async read(id: string, props: ServiceOutputs) {
      const current = await readService(client(), id, props ?? {});
      // A service deleted outside Pulumi reads as gone.
      if (!current) return {};
      return { id, props: current };
    },

    async update(id: string, olds: ServiceOutputs, news: ServiceInputs) {
      const done = await converge(client(), id, olds, news, pollMs());
      return {
        outs: {
          ...news,
          url: olds.url,
          slug: olds.slug,
          dashboardUrl: olds.dashboardUrl,
          diskId: done.diskId,
          deployId: done.deployId ?? olds.deployId,
        },
      };
    },

    async delete(id: string) {
      await deleteOrGone(client(), `/services/${id}`);
    },
  };
}

/** The provider every `RenderService` uses: key and URL from the environment of `pulumi up`. */
