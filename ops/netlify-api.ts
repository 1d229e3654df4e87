/**
 * The Netlify calls of the ops commands (netlify-api.md §7), on the providers' client (retries,
 * the epoch rate-limit reset, redacted token): the published deploy, production deploys, branch
 * deploys, restore, lock and unlock.
 */
import { isApiError } from "../providers/kit/rest";
import { createNetlifyClient, DEFAULT_BASE_URL, type NetlifyClient } from "../providers/netlify/client";
import type { Clock } from "./clock";
import { apiProblem, requireEnv, type OpsError } from "./errors";

export interface NetlifyDeploy {
  id: string;
  state: string;
  context?: string;
  branch?: string;
  commit_ref?: string | null;
  locked?: boolean | null;
  created_at?: string;
  published_at?: string | null;
  ssl_url?: string;
  deploy_ssl_url?: string;
  error_message?: string | null;
}

export interface NetlifySiteInfo {
  id: string;
  name: string;
  ssl_url?: string;
  published_deploy?: NetlifyDeploy | null;
  /** The build settings the CLI builds with (`base` is the base directory). */
  build_settings?: { base?: string; cmd?: string; dir?: string };
}

export interface DeployedBranch {
  name: string;
  deploy_id: string;
  ssl_url?: string;
}

const netlifyBase = (env: Record<string, string | undefined>) => (env.NETLIFY_API_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");

/** A client whose every call and retry wait ends at the command's deadline (`signal`, on `clock`). */
export function netlifyClient(env: Record<string, string | undefined>, purpose: string, run: { clock?: Clock; signal?: AbortSignal } = {}): NetlifyClient {
  const apiKey = requireEnv(env, "NETLIFY_AUTH_TOKEN", purpose);
  return createNetlifyClient({
    apiKey,
    baseUrl: env.NETLIFY_API_URL,
    maxTotalWaitMs: 2 * 60_000,
    timeoutMs: 30_000,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.clock ? { clock: run.clock } : {}),
  });
}

/** The line for a Netlify call that failed past retrying (deadline, unreachable, token refused), else undefined. */
export function netlifyProblem(env: Record<string, string | undefined>, err: unknown, what: string, timeoutMs?: number): OpsError | undefined {
  if (!isApiError(err)) return undefined;
  return apiProblem({ api: "Netlify API", base: netlifyBase(env), credential: "NETLIFY_AUTH_TOKEN", statusPage: "https://www.netlifystatus.com" }, err, what, timeoutMs);
}

export const getSite = (c: NetlifyClient, siteId: string) => c.get<NetlifySiteInfo>(`/sites/${siteId}`);

/** Production deploys, newest first whatever order Netlify lists them in (unconfirmed). */
export async function productionDeploys(c: NetlifyClient, siteId: string): Promise<NetlifyDeploy[]> {
  const list = await c.get<NetlifyDeploy[]>(`/sites/${siteId}/deploys`, { production: true, per_page: 100 });
  return [...list].sort((a, b) => Date.parse(b.created_at ?? "") - Date.parse(a.created_at ?? ""));
}

/** A branch's deploys (CI deploys it with `--alias <branch>`), newest first. */
export async function branchDeploys(c: NetlifyClient, siteId: string, branch: string): Promise<NetlifyDeploy[]> {
  const list = await c.get<NetlifyDeploy[]>(`/sites/${siteId}/deploys`, { branch, per_page: 100 });
  return [...list].sort((a, b) => Date.parse(b.created_at ?? "") - Date.parse(a.created_at ?? ""));
}

export const getDeploy = (c: NetlifyClient, deployId: string) => c.get<NetlifyDeploy>(`/deploys/${deployId}`);

export const deployedBranches = (c: NetlifyClient, siteId: string) => c.get<DeployedBranch[]>(`/sites/${siteId}/deployed-branches`);

export const restoreDeploy = (c: NetlifyClient, siteId: string, deployId: string) =>
  c.request<NetlifyDeploy>("POST", `/sites/${siteId}/deploys/${deployId}/restore`).then((r) => r.body);

export const lockDeploy = (c: NetlifyClient, deployId: string) => c.request<NetlifyDeploy>("POST", `/deploys/${deployId}/lock`).then((r) => r.body);
export const unlockDeploy = (c: NetlifyClient, deployId: string) => c.request<NetlifyDeploy>("POST", `/deploys/${deployId}/unlock`).then((r) => r.body);
