/**
 * The dynamic provider for a Render service (web service, private service, background worker or
 * cron job). It runs in Pulumi's dynamic-provider host from the bundle `provider-source.ts` makes,
 * so it must not need `@pulumi/pulumi` at run time: types only. The resource class that
 * programs use is in `service-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, namingErrors, createdButFailed, deleteOrGone, getOrGone, postOrFind, providerChanged, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";
import { moveToEnvironment } from "./environment-move";
import { NAME_RULES, nameProblem } from "../names";

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
  /**
   * That deploy's last status seen while waiting (`live`, a failure such as `build_failed`, or an
   * in-progress one when the wait ran out); absent when nothing waited. The next update retries a
   * failed deploy and keeps following one still in progress.
   */
  deployStatus?: string;
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
  const docker = i.runtime === "docker" || i.runtime === "image";
  return {
    ownerId: i.ownerId,
    name: i.name,
    type: i.type,
    repo: i.repo,
    branch: i.branch,
    rootDir: i.rootDir || undefined,
    autoDeploy: i.autoDeploy ?? true,
    runtime: i.runtime,
    buildCommand: docker ? undefined : i.buildCommand,
    startCommand: docker ? undefined : i.startCommand,
    preDeployCommand: i.preDeployCommand || undefined,
    dockerCommand: docker ? i.dockerCommand || undefined : undefined,
    // Render fills these in for docker services (a read returns "", "." and "./Dockerfile").
    dockerfilePath: docker ? i.dockerfilePath || "./Dockerfile" : undefined,
    dockerContext: docker ? i.dockerContext || "." : undefined,
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

export function checkService(news: Record<string, any>, olds: Record<string, any> = {}): { property: string; reason: string }[] {
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
  if (known("name") && nameProblem("render", String(news.name))) {
    f.push({ property: "name", reason: `name '${news.name}' must be ${NAME_RULES.render.allowed}, at most ${NAME_RULES.render.max} characters` });
  }
  if (known("type") && !SERVICE_TYPES.includes(news.type)) f.push({ property: "type", reason: `type must be one of ${SERVICE_TYPES.join(", ")}` });
  if (known("repo") && !/^https:\/\/\S+$/.test(news.repo)) f.push({ property: "repo", reason: "repo must be an https Git URL without a branch" });
  if (known("runtime") && NATIVE_RUNTIMES.includes(news.runtime)) {
    for (const k of ["buildCommand", "startCommand"]) if (news[k] === undefined) f.push({ property: k, reason: `${k} is required for the '${news.runtime}' runtime` });
  }
  if (news.runtime === "docker") {
    // The Dockerfile builds and starts a docker service; Render ignores these, so they would only show as drift.
    if (news.buildCommand !== undefined) f.push({ property: "buildCommand", reason: "buildCommand is not used by the docker runtime (the Dockerfile builds the image); remove it" });
    if (news.startCommand !== undefined) f.push({ property: "startCommand", reason: "startCommand is not used by the docker runtime; set dockerCommand (or leave it out to run the image's CMD)" });
  }
  const shrink = diskShrink(olds.disk?.sizeGB, news.disk?.sizeGB);
  if (shrink) f.push({ property: "disk", reason: shrink });
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

/** Render disks only grow; a smaller size is refused before anything is changed. */
export function diskShrink(from: unknown, to: unknown): string | undefined {
  if (typeof from === "number" && typeof to === "number" && to < from) {
    return `disk.sizeGB cannot shrink from ${from} to ${to}: Render disks only grow (move the data to a new disk instead)`;
  }
  return undefined;
}

const FAILED_DEPLOY = ["build_failed", "update_failed", "pre_deploy_failed", "canceled", "deactivated"];

/** Whether the last wait for a deploy did not see it go live, so the next update must deploy or wait again. */
function deployUnfinished(olds: Partial<ServiceOutputs>, news: Partial<ServiceInputs>): boolean {
  return !!news.waitForLive && !!olds.deployStatus && olds.deployStatus !== "live";
}

export function diffService(olds: Partial<ServiceInputs>, news: Partial<ServiceInputs>): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const a = normalizeService(olds);
  const b = normalizeService(news);
  const changed = Object.keys(b).filter((k) => hasUnknown(b[k]) || canon(a[k]) !== canon(b[k]));
  const replaces = changed.filter((k) => (REPLACE_FIELDS as readonly string[]).includes(k));
  const changes = changed.length > 0 || deployUnfinished(olds, news) || providerChanged(olds as any, news as any);
  // Names are unique per workspace, so a replacement that keeps its name must delete first.
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && a.name === b.name };
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
    ? // Explicit defaults, so removing a setting resets it at Render instead of leaving the old value.
      { dockerCommand: i.dockerCommand ?? "", dockerfilePath: i.dockerfilePath || "./Dockerfile", dockerContext: i.dockerContext || "." }
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
  return compact({
    // Settings that only steer the provider are not on Render's side.
    waitForLive: prior.waitForLive,
    deployTimeoutSeconds: prior.deployTimeoutSeconds,
    deployId: prior.deployId,
    deployStatus: prior.deployStatus,
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
  });
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

/** A deploy that ended without going live, or was still in progress when the wait ran out. */
class DeployNotLive extends Error {
  constructor(
    message: string,
    readonly status: string,
    readonly deployId: string,
  ) {
    super(message);
  }
}

/** Polls a deploy until it is live (3 s, ×1.2, capped at 15 s, like Render's own provider); returns `live` or throws. */
async function waitForDeploy(client: RenderClient, id: string, deployId: string, timeoutSeconds: number, firstPollMs: number): Promise<string> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let interval = firstPollMs;
  for (;;) {
    const dep = await client.get<any>(`/services/${id}/deploys/${deployId}`);
    if (dep.status === "live") return "live";
    if (FAILED_DEPLOY.includes(dep.status)) {
      const what = { build_failed: "the build failed", update_failed: "the new version failed to start", pre_deploy_failed: "the pre-deploy command failed" }[dep.status as string] ?? dep.status;
      throw new DeployNotLive(`its deploy ${deployId} ended in '${dep.status}': ${what}; see the deploy logs in the Render dashboard`, dep.status, deployId);
    }
    if (Date.now() + interval > deadline) throw new DeployNotLive(`its deploy ${deployId} is still '${dep.status}' after ${timeoutSeconds} s`, dep.status, deployId);
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(15_000, interval * 1.2);
  }
}

/** The newest deploy of a service (Render lists newest first), e.g. the one a 202 "queued" answer did not name. */
async function newestDeploy(client: RenderClient, id: string): Promise<any | undefined> {
  const page = (await client.request<any[]>("GET", `/services/${id}/deploys`, { query: { limit: 1 } })).body;
  return Array.isArray(page) ? page[0]?.deploy : undefined;
}

/**
 * Starts a deploy and names it. Render answers 201 with the deploy, or 202 "queued" with no body;
 * then the newest deploy in the list is the one to follow. A suspended service cannot deploy: its
 * changes are saved and go live when it resumes, so nothing is started.
 */
async function startDeploy(client: RenderClient, id: string): Promise<string | undefined> {
  const svc = await client.get<any>(`/services/${id}`);
  if (svc.suspended === "suspended") return undefined;
  // Deploying twice after a lost answer is harmless; Render queues the second one.
  const dep = (await client.request<any>("POST", `/services/${id}/deploys`, { body: { clearCache: "do_not_clear" }, idempotent: true })).body;
  return typeof dep?.id === "string" ? dep.id : (await newestDeploy(client, id))?.id;
}

interface Converged {
  deployId?: string;
  deployStatus?: string;
  diskId?: string;
}

/**
 * Moves a service from `olds` to `news` with Render's separate endpoints, in Render's order
 * (scale, autoscaling, PATCH, env vars, disk, environment), then one deploy if anything that needs
 * a deploy changed, or the last one did not go live. With `waitForLive` it waits for that deploy.
 */
async function converge(client: RenderClient, id: string, olds: Partial<ServiceOutputs>, news: ServiceInputs, pollMs: number): Promise<Converged> {
  const a = normalizeService(olds);
  const b = normalizeService(news);
  const changed = (k: string) => canon(a[k]) !== canon(b[k]);
  let needsDeploy = false;
  let diskId = olds.diskId;

  if (b.numInstances !== undefined && changed("numInstances") && !news.autoscaling) {
    // Autoscaling goes first when it is turned off, so the scale takes effect.
    if (olds.autoscaling) await deleteOrGone(client, `/services/${id}/autoscaling`);
    await client.request("POST", `/services/${id}/scale`, { body: { numInstances: b.numInstances }, idempotent: true });
  } else if (olds.autoscaling && !news.autoscaling && news.type !== "cron_job") {
    await deleteOrGone(client, `/services/${id}/autoscaling`);
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
        client,
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

  const unfinished = deployUnfinished(olds, news);
  // A deploy still in progress when the last wait ran out is followed, not started again.
  if (!needsDeploy && unfinished && !FAILED_DEPLOY.includes(olds.deployStatus!) && olds.deployId) {
    return { diskId, deployId: olds.deployId, deployStatus: await waitFor(client, id, olds.deployId, news, pollMs) };
  }
  if (!needsDeploy && !unfinished) return { diskId, deployId: olds.deployId, deployStatus: olds.deployStatus };
  const deployId = await startDeploy(client, id);
  if (!deployId) return { diskId, deployId: olds.deployId };
  if (!news.waitForLive) return { diskId, deployId };
  return { diskId, deployId, deployStatus: await waitFor(client, id, deployId, news, pollMs) };
}

function waitFor(client: RenderClient, id: string, deployId: string, news: ServiceInputs, pollMs: number): Promise<string> {
  return waitForDeploy(client, id, deployId, news.deployTimeoutSeconds ?? 1800, pollMs);
}

/** Outputs for `news` at Render: the inputs plus what Render computed. */
function outputsOf(news: ServiceInputs, from: Partial<ServiceOutputs>, done: Converged): ServiceOutputs {
  return compact({
    ...news,
    url: from.url,
    slug: from.slug,
    dashboardUrl: from.dashboardUrl,
    diskId: done.diskId,
    deployId: done.deployId,
    deployStatus: done.deployStatus,
  });
}

/**
 * Runs the steps after Render has the service; a failure there (a deploy that did not go live, a
 * wait that ran out, a lost read) still leaves the service recorded in state, with the deploy's
 * status, so the next `pulumi up` updates it instead of creating another.
 */
async function afterCreate(id: string, outs: ServiceOutputs, step: () => Promise<Converged>): Promise<{ id: string; outs: ServiceOutputs }> {
  try {
    const done = await step();
    return { id, outs: outputsOf(outs, outs, { diskId: outs.diskId, deployId: outs.deployId, ...done }) };
  } catch (err) {
    const deploy = err instanceof DeployNotLive ? { deployId: err.deployId, deployStatus: err.status } : {};
    throw createdButFailed(`Render service '${outs.name}'`, id, { ...outs, ...deploy }, err);
  }
}

/** Builds a provider; tests pass options, the bundle in state uses the defaults. */
export function createServiceProvider(options: ServiceProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  // Read per call: the environment of `pulumi up`, where the provider runs.
  const pollMs = () => options.pollIntervalMs ?? (Number(process.env.RENDER_POLL_INTERVAL_MS) || 3000);
  return namingErrors({
    configure,

    async check(olds: any, news: any) {
      return { inputs: news, failures: checkService(news, olds ?? {}) };
    },

    async diff(_id: string, olds: ServiceOutputs, news: ServiceInputs) {
      // Also when a refresh found a disk grown outside Pulumi: shrinking it back is not possible.
      const shrink = diskShrink(olds.disk?.sizeGB, news.disk?.sizeGB);
      if (shrink) throw new Error(`Render service '${news.name}': ${shrink}`);
      return diffService(olds, news);
    },

    async create(inputs: ServiceInputs) {
      const c = client();
      let created: any;
      const found = await postOrFind<any>(
        c,
        async () => (created = (await c.request<any>("POST", "/services", { body: createBody(inputs), idempotent: false })).body),
        () => findService(c, inputs),
      );
      if (created) {
        const s = created.service;
        const after = serviceFromApi(s, undefined, inputs);
        const outs = outputsOf(inputs, after, { diskId: after.diskId, deployId: created.deployId });
        return afterCreate(s.id, outs, async () =>
          inputs.waitForLive && created.deployId ? { deployStatus: await waitFor(c, s.id, created.deployId, inputs, pollMs()) } : {},
        );
      }
      // Adopted (a lost answer, or a name already taken by an earlier run): bring it to the desired state.
      const after = serviceFromApi(found, undefined, {});
      const seen = outputsOf(inputs, after, { diskId: after.diskId });
      return afterCreate(found.id, seen, async () => {
        const current = (await readService(c, found.id, {}))!;
        return converge(c, found.id, current, inputs, pollMs());
      });
    },

    async read(id: string, props: ServiceOutputs) {
      const current = await readService(client(), id, props ?? {});
      // A service deleted outside Pulumi reads as gone.
      if (!current) return {};
      return { id, props: current };
    },

    async update(id: string, olds: ServiceOutputs, news: ServiceInputs) {
      const c = client();
      try {
        const done = await converge(c, id, olds, news, pollMs());
        return { outs: outputsOf(news, olds, done) };
      } catch (err) {
        // The changes are in; only the deploy did not go live. Record that, so the next update deploys again.
        if (!(err instanceof DeployNotLive)) throw err;
        throw createdButFailed(`Render service '${news.name}'`, id, outputsOf(news, olds, { diskId: olds.diskId, deployId: err.deployId, deployStatus: err.status }), err);
      }
    },

    async delete(id: string) {
      await deleteOrGone(client(), `/services/${id}`);
    },
  }, (p, id) => `Render service '${p.name ?? id}'`);
}
