/**
 * The Supabase project's health for `webstack status` and `verify`, through the Management API
 * (`GET /v1/projects/{ref}` and `…/health`), with the token of `pulumi up`: SUPABASE_ACCESS_TOKEN.
 */
import { isApiError } from "../providers/kit/rest";
import { createSupabaseClient, DEFAULT_BASE_URL } from "../providers/supabase/client";
import type { Clock } from "./clock";
import { apiProblem, OpsError } from "./errors";

export interface ProjectHealth {
  up: boolean;
  /** `ACTIVE_HEALTHY; db, pooler, rest, storage healthy` or what is not. */
  answer: string;
  /** The Management API could not be reached or refused the token: the project's health is unknown. */
  problem?: OpsError;
}

const SERVICES = ["db", "pooler", "rest", "storage"];

export async function projectHealth(
  env: Record<string, string | undefined>,
  ref: string,
  what = `reading Supabase project ${ref}`,
  /** The command's clock and deadline (`--timeout`), as renderClient takes them. */
  run: { clock?: Clock; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ProjectHealth> {
  const token = env.SUPABASE_ACCESS_TOKEN?.trim();
  if (!token) throw new OpsError("reading the Supabase project's health needs SUPABASE_ACCESS_TOKEN (a token that can read the project)", 2);
  const client = createSupabaseClient({ apiKey: token, baseUrl: env.SUPABASE_API_ENDPOINT?.trim() || undefined, maxAttempts: 3, baseDelayMs: 500, maxTotalWaitMs: 10_000, timeoutMs: 10_000, ...(run.clock ? { clock: run.clock } : {}), ...(run.signal ? { signal: run.signal } : {}) });
  try {
    const project = await client.get<any>(`/v1/projects/${ref}`);
    if (project.status !== "ACTIVE_HEALTHY") {
      const hint = project.status === "INACTIVE" ? " (paused: restore it from the Supabase dashboard)" : "";
      return { up: false, answer: `${project.status}${hint}` };
    }
    const health = (await client.get<any[]>(`/v1/projects/${ref}/health`, { services: SERVICES.join(",") })) ?? [];
    const bad = health.filter((h) => h.status !== "ACTIVE_HEALTHY");
    return bad.length
      ? { up: false, answer: `ACTIVE_HEALTHY; ${bad.map((h) => `${h.name} ${h.status}${h.error ? ` (${h.error})` : ""}`).join(", ")}` }
      : { up: true, answer: `ACTIVE_HEALTHY; ${health.map((h) => h.name).join(", ")} healthy` };
  } catch (err) {
    const base = env.SUPABASE_API_ENDPOINT?.trim() || DEFAULT_BASE_URL;
    const problem = isApiError(err) ? apiProblem({ api: "Supabase Management API", base, credential: "SUPABASE_ACCESS_TOKEN", statusPage: "https://status.supabase.com" }, err, what, run.timeoutMs) : undefined;
    return { up: false, answer: problem?.message ?? (err as Error).message, ...(problem ? { problem } : {}) };
  }
}
