/**
 * The Render calls of the ops commands, on the providers' typed client (retries, rate limits,
 * redacted key): deploys, rollback, custom domains and Postgres exports (render-day2.md).
 */
import { createRenderClient, DEFAULT_BASE_URL, isApiError, type RenderClient } from "../providers/render/client";
import type { Clock } from "./clock";
import { apiProblem, type OpsError, requireEnv } from "./errors";

export interface Deploy {
  id: string;
  status: string;
  trigger?: string;
  commit?: { id: string; message?: string };
  createdAt?: string;
  finishedAt?: string;
}

/** Still on its way to live. */
export const IN_PROGRESS = ["created", "queued", "build_in_progress", "update_in_progress", "pre_deploy_in_progress"];
/** A deploy that went live at some point (render-oss/cli's `IsSuccessful`). */
export const SUCCESSFUL = ["live", "deactivated"];

/**
 * The providers' client for an ops command: the command's deadline (`signal`) bounds every call,
 * retries and their waits included, and the waits run on the command's clock.
 */
export function renderClient(env: Record<string, string | undefined>, purpose: string, run: { clock?: Clock; signal?: AbortSignal } = {}): RenderClient {
  const apiKey = requireEnv(env, "RENDER_API_KEY", purpose);
  return createRenderClient({
    apiKey,
    baseUrl: renderBase(env),
    maxTotalWaitMs: 2 * 60_000,
    timeoutMs: 30_000,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.clock ? { clock: run.clock } : {}),
  });
}

function renderBase(env: Record<string, string | undefined>): string {
  return (env.RENDER_API_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** The line for a Render call that failed past retrying (deadline, unreachable, key refused), else undefined. */
export function renderProblem(env: Record<string, string | undefined>, err: unknown, what: string, timeoutMs?: number): OpsError | undefined {
  if (!isApiError(err)) return undefined;
  return apiProblem({ api: "Render API", base: renderBase(env), credential: "RENDER_API_KEY", statusPage: "https://status.render.com" }, err, what, timeoutMs);
}

/** A service's name and settings, or undefined when Render no longer has it. */
export async function getService(client: RenderClient, id: string): Promise<{ id: string; name: string; autoDeploy?: string; branch?: string; suspended?: string } | undefined> {
  try {
    return await client.get(`/services/${id}`);
  } catch (err) {
    if (isApiError(err, 404)) return undefined;
    throw err;
  }
}

/** The newest deploys, newest first (one page: what a rollback can reach is far fewer than 100). */
export async function listDeploys(client: RenderClient, serviceId: string, limit = 100): Promise<Deploy[]> {
  const page = (await client.request<Array<{ deploy?: Deploy }>>("GET", `/services/${serviceId}/deploys`, { query: { limit } })).body;
  return (Array.isArray(page) ? page : []).map((e) => e.deploy).filter((d): d is Deploy => !!d && typeof d.id === "string");
}

export async function getDeploy(client: RenderClient, serviceId: string, deployId: string): Promise<Deploy> {
  return client.get<Deploy>(`/services/${serviceId}/deploys/${deployId}`);
}

/** `POST /services/{id}/rollback`: 201 with the new deploy (trigger `rollback`). Not repeated on failure: a repeat would start a second one. */
export async function rollbackTo(client: RenderClient, serviceId: string, deployId: string): Promise<Deploy> {
  return (await client.request<Deploy>("POST", `/services/${serviceId}/rollback`, { body: { deployId }, idempotent: false })).body;
}

/** Custom domains Render has not verified yet (they serve nothing until it has). */
export async function pendingDomains(client: RenderClient, serviceId: string): Promise<string[]> {
  const domains = await client.list<{ name: string; verificationStatus?: string }>(`/services/${serviceId}/custom-domains`, "customDomain");
  return domains.filter((d) => d.verificationStatus !== "verified").map((d) => d.name);
}

export interface PostgresExport {
  id: string;
  createdAt: string;
  url?: string;
}

/** Starts a logical export: 202 with no body, so no id comes back. */
export async function startExport(client: RenderClient, postgresId: string): Promise<void> {
  await client.request("POST", `/postgres/${postgresId}/export`, { idempotent: false });
}

/** Exports as Render lists them: a bare array, no cursor; `url` appears once an export is ready. */
export async function listExports(client: RenderClient, postgresId: string): Promise<PostgresExport[]> {
  const list = await client.get<PostgresExport[]>(`/postgres/${postgresId}/export`);
  return Array.isArray(list) ? list : [];
}

/** `POST /services/{id}/deploys/{deployId}/cancel`: stops a deploy that has not gone live (the one live stays). */
export async function cancelDeploy(client: RenderClient, serviceId: string, deployId: string): Promise<void> {
  await client.request("POST", `/services/${serviceId}/deploys/${deployId}/cancel`, { idempotent: true });
}
