/**
 * The Vercel REST calls of `webstack rollback` (vercel-cloudflare-day2.md §1): production
 * deployments, instant rollback and promote, and the alias job that follows them. Team-scoped
 * with `teamId` (or `slug` for a team given by name), like the official CLI.
 */
import type { Clock } from "./clock";
import { apiProblem, OpsError, requireEnv } from "./errors";

export interface VercelDeployment {
  uid: string;
  url?: string | null;
  created: number;
  /** When it became READY (ms). */
  ready?: number;
  state?: string;
  readyState?: string;
  /** `STAGED`: a production build the domains were not moved to (auto-assignment off). */
  readySubstate?: string;
  target?: string | null;
  meta?: { githubCommitSha?: string };
  isRollbackCandidate?: boolean;
}

export interface AliasRequest {
  fromDeploymentId?: string;
  toDeploymentId?: string;
  jobStatus?: "pending" | "in-progress" | "succeeded" | "failed" | "skipped";
  requestedAt?: number;
  type?: "rollback" | "promote";
}

export interface VercelProject {
  id: string;
  name: string;
  autoAssignCustomDomains?: boolean;
  targets?: { production?: { id?: string } | null };
  lastAliasRequest?: AliasRequest | null;
}

export class VercelApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    message: string,
    /** The command's deadline passed before Vercel answered. */
    readonly deadline = false,
  ) {
    super(`Vercel API ${method} ${path} failed (${status || "no response"}): ${message}`);
    this.name = "VercelApiError";
  }
}

export interface VercelClient {
  /** READY production deployments, newest first, staged ones included. */
  productionDeployments(projectId: string, limit?: number): Promise<VercelDeployment[]>;
  project(projectId: string): Promise<VercelProject>;
  rollback(projectId: string, deploymentId: string, description?: string): Promise<void>;
  promote(projectId: string, deploymentId: string): Promise<void>;
  /** `PATCH /v9/projects/{id}` `{autoAssignCustomDomains}`: what Undo Rollback turns back on. */
  setAutoAssign(projectId: string, on: boolean): Promise<void>;
  /** The variable the token came from (VERCEL_API_TOKEN or VERCEL_TOKEN), for error messages. */
  readonly credential: string;
  readonly base: string;
}

/** The Vercel token: VERCEL_API_TOKEN (the Pulumi provider's), else VERCEL_TOKEN (the Vercel CLI's). */
export function vercelCredential(env: Record<string, string | undefined>): string {
  return !env.VERCEL_API_TOKEN?.trim() && env.VERCEL_TOKEN?.trim() ? "VERCEL_TOKEN" : "VERCEL_API_TOKEN";
}

export interface VercelClientOptions {
  /** The command's deadline: every call and retry wait ends when it aborts. */
  signal?: AbortSignal;
}

export function vercelClient(env: Record<string, string | undefined>, clock: Clock, teamId: string | undefined, purpose: string, opts: VercelClientOptions = {}): VercelClient {
  const credential = vercelCredential(env);
  const token = requireEnv(env, credential, purpose);
  const base = (env.VERCEL_API_URL ?? "https://api.vercel.com").replace(/\/+$/, "");
  const scope: Record<string, string> = teamId ? (teamId.startsWith("team_") ? { teamId } : { slug: teamId }) : {};
  const outer = opts.signal;

  async function call<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, ...scope })) if (v !== undefined) qs.set(k, String(v));
    const url = `${base}${path}${qs.size ? `?${qs}` : ""}`;
    const late = (message: string) => new VercelApiError(method, path, 0, "deadline", `${message ? `${message}; ` : ""}the deadline passed`, true);
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: clock.timeout(30_000, outer),
        });
        text = await res.text();
      } catch (err) {
        if (outer?.aborted) throw late("");
        const e = err as Error & { cause?: { code?: string } };
        const message = e?.cause?.code ?? e?.message ?? String(err);
        if (method === "GET" && attempt < 3) {
          await clock.sleep(1000 * attempt, outer).catch(() => undefined);
          if (outer?.aborted) throw late(message);
          continue;
        }
        throw new VercelApiError(method, path, 0, "network", message);
      }
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      // Like Vercel's Terraform provider: wait out a 429 when Vercel asks for less than 5 minutes.
      const after = Number(res.headers.get("retry-after") ?? "");
      if (res.status === 429 && attempt < 3 && Number.isFinite(after) && after < 300) {
        await clock.sleep(Math.max(1, after) * 1000, outer).catch(() => undefined);
        if (outer?.aborted) throw late("429 Too Many Requests");
        continue;
      }
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {
        // not JSON
      }
      throw new VercelApiError(method, path, res.status, error.code ?? "", (error.message ?? text.slice(0, 200)) || res.statusText);
    }
  }

  return {
    credential,
    base,
    async productionDeployments(projectId, limit = 20) {
      const page = await call<{ deployments?: VercelDeployment[] }>("GET", "/v6/deployments", { projectId, target: "production", state: "READY", limit });
      return (page.deployments ?? []).slice().sort((a, b) => b.created - a.created);
    },
    project: (projectId) => call<VercelProject>("GET", `/v9/projects/${encodeURIComponent(projectId)}`, { rollbackInfo: "true" }),
    async rollback(projectId, deploymentId, description) {
      const path = (v: string) => `/${v}/projects/${encodeURIComponent(projectId)}/rollback/${encodeURIComponent(deploymentId)}`;
      const query = description ? { description } : {};
      try {
        // The CLI's path first, then the one in the REST docs: both appear in Vercel's sources.
        await call("POST", path("v9"), query, {});
      } catch (err) {
        if (!(err instanceof VercelApiError) || err.status !== 404 || err.code === "not_found_deployment" || /deployment/i.test(err.message)) throw err;
        await call("POST", path("v1"), query, {});
      }
    },
    async promote(projectId, deploymentId) {
      await call("POST", `/v10/projects/${encodeURIComponent(projectId)}/promote/${encodeURIComponent(deploymentId)}`, {}, {});
    },
    async setAutoAssign(projectId, on) {
      await call("PATCH", `/v9/projects/${encodeURIComponent(projectId)}`, {}, { autoAssignCustomDomains: on });
    },
  };
}

/** The line for a Vercel call that failed past retrying (deadline, unreachable, token refused), else undefined. */
export function vercelProblem(client: Pick<VercelClient, "credential" | "base">, err: unknown, what: string, timeoutMs?: number): OpsError | undefined {
  if (!(err instanceof VercelApiError)) return undefined;
  return apiProblem({ api: "Vercel API", base: client.base, credential: client.credential, statusPage: "https://www.vercel-status.com" }, err, what, timeoutMs);
}

const shortSha = (d?: VercelDeployment) => d?.meta?.githubCommitSha?.slice(0, 7);

/** `dpl_… (abc1234)` for people. */
export function describeDeployment(d: VercelDeployment): string {
  return `${d.uid}${shortSha(d) ? ` (${shortSha(d)})` : ""}`;
}

/**
 * The production deployment serving now: the project's production target when Vercel gives it;
 * else the target of the last finished rollback or promote, unless a production deployment went
 * live after that request (then that request is stale); else the newest production deployment
 * that was not staged.
 */
export function currentProduction(project: VercelProject, deployments: VercelDeployment[]): VercelDeployment | undefined {
  const byId = (id?: string) => (id ? deployments.find((d) => d.uid === id) : undefined);
  const target = byId(project.targets?.production?.id);
  if (target) return target;
  const alias = project.lastAliasRequest;
  const aliased = alias?.jobStatus === "succeeded" ? byId(alias.toDeploymentId) : undefined;
  const after = alias?.requestedAt ?? 0;
  // With auto-assignment off, builds after the request stayed staged even without the substate.
  const live = deployments.filter((d) => d.readySubstate !== "STAGED" && !(aliased && project.autoAssignCustomDomains === false && d.created > after));
  const newest = live[0];
  if (aliased && (!newest || after >= newest.created)) return aliased;
  return newest;
}

/** How long a new READY build may take to get the production domains before it counts as left behind. */
export const ALIAS_GRACE_MS = 5 * 60_000;

/**
 * Production domains pinned to an older deployment than the newest production build (after a
 * rollback Vercel stops moving them): what serves, and what is waiting; undefined when current.
 * With auto-assignment on, a build READY for less than ALIAS_GRACE_MS is still being aliased.
 */
export function staleProduction(project: VercelProject, deployments: VercelDeployment[], now: number): { serving: VercelDeployment; newest: VercelDeployment } | undefined {
  const serving = currentProduction(project, deployments);
  const newest = deployments[0];
  if (!serving || !newest || newest.uid === serving.uid || newest.created <= serving.created) return undefined;
  if (project.autoAssignCustomDomains !== false && now - (newest.ready ?? newest.created) < ALIAS_GRACE_MS) return undefined;
  return { serving, newest };
}
