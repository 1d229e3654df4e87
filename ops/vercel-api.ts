/**
 * The Vercel REST calls of `webstack rollback` (vercel-cloudflare-day2.md §1): production
 * deployments, instant rollback and promote, and the alias job that follows them. Team-scoped
 * with `teamId` (or `slug` for a team given by name), like the official CLI.
 */
import type { Clock } from "./clock";
import { requireEnv } from "./errors";

export interface VercelDeployment {
  uid: string;
  url?: string | null;
  created: number;
  state?: string;
  readyState?: string;
  target?: string | null;
  meta?: { githubCommitSha?: string };
  isRollbackCandidate?: boolean;
}

export interface AliasRequest {
  fromDeploymentId?: string;
  toDeploymentId?: string;
  jobStatus?: "pending" | "in-progress" | "succeeded" | "failed" | "skipped";
  type?: "rollback" | "promote";
}

export interface VercelProject {
  id: string;
  name: string;
  autoAssignCustomDomains?: boolean;
  targets?: { production?: { id?: string } };
  lastAliasRequest?: AliasRequest | null;
}

export class VercelApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`Vercel API ${method} ${path} failed (${status || "no response"}): ${message}`);
    this.name = "VercelApiError";
  }
}

export interface VercelClient {
  productionDeployments(projectId: string, limit?: number): Promise<VercelDeployment[]>;
  project(projectId: string): Promise<VercelProject>;
  rollback(projectId: string, deploymentId: string, description?: string): Promise<void>;
  promote(projectId: string, deploymentId: string): Promise<void>;
}

export function vercelClient(env: Record<string, string | undefined>, clock: Clock, teamId: string | undefined, purpose: string): VercelClient {
  const token = requireEnv(env, "VERCEL_API_TOKEN", purpose);
  const base = (env.VERCEL_API_URL ?? "https://api.vercel.com").replace(/\/+$/, "");
  const scope: Record<string, string> = teamId ? (teamId.startsWith("team_") ? { teamId } : { slug: teamId }) : {};

  async function call<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, ...scope })) if (v !== undefined) qs.set(k, String(v));
    const url = `${base}${path}${qs.size ? `?${qs}` : ""}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: clock.timeout(30_000),
        });
      } catch (err) {
        if (method === "GET" && attempt < 3) {
          await clock.sleep(1000 * attempt);
          continue;
        }
        throw new VercelApiError(method, path, 0, "network", (err as Error)?.message ?? String(err));
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      // Like Vercel's Terraform provider: wait out a 429 when Vercel asks for less than 5 minutes.
      const after = Number(res.headers.get("retry-after") ?? "");
      if (res.status === 429 && attempt < 3 && Number.isFinite(after) && after < 300) {
        await clock.sleep(Math.max(1, after) * 1000);
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
  };
}

/**
 * The production deployment serving now: the target of the last finished rollback or promote,
 * else the project's `targets.production`, else the newest READY production deployment.
 */
export function currentProduction(project: VercelProject, deployments: VercelDeployment[]): VercelDeployment | undefined {
  const byId = (id?: string) => (id ? deployments.find((d) => d.uid === id) : undefined);
  const alias = project.lastAliasRequest;
  return (alias?.jobStatus === "succeeded" ? byId(alias.toDeploymentId) : undefined) ?? byId(project.targets?.production?.id) ?? deployments[0];
}
