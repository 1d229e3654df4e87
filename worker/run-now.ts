/**
 * The Worker's one HTTP route: `POST /run/<job>` runs a job now, for `webstack cron run`. It needs
 * `Authorization: Bearer <CRON_SECRET>` (the secret the backend checks), runs the same code as a
 * schedule (runJob: same retries, same `<job>:<time>` Idempotency-Key), and answers with the result.
 * Body, optional: `{"scheduledTime": "<ISO>"}`; a caller retrying its request sends the same time,
 * so the backend sees the same key. Every other path is a 404.
 */
import { alertOn } from "./alerts";
import { bearerMatches } from "./auth";
import { log } from "./log";
import { resolvePolicy } from "./policy";
import { runJob } from "./retry";
import type { Env, JobSpec } from "./types";

const RUN = /^\/run\/([^/]+)$/;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** The job of that name and the schedule it is registered under. */
export function findJob(jobs: Env["JOBS"], name: string): { cron: string; job: JobSpec } | undefined {
  for (const [cron, list] of Object.entries(jobs ?? {})) {
    const job = list.find((j) => j.name === name);
    if (job) return { cron, job };
  }
  return undefined;
}

export async function handleFetch(request: Request, env: Env): Promise<Response> {
  const match = RUN.exec(new URL(request.url).pathname);
  if (!match) return new Response("Not found", { status: 404 });
  // Authentication first: an unauthenticated caller learns nothing, not even the job names.
  if (!env.CRON_SECRET || !(await bearerMatches(request.headers.get("authorization"), env.CRON_SECRET))) {
    return json(401, { error: "missing or wrong bearer token" }, { "www-authenticate": 'Bearer realm="webstack-cron"' });
  }
  if (request.method !== "POST") return json(405, { error: "use POST" }, { allow: "POST" });
  const name = decodeURIComponent(match[1]!);
  const found = findJob(env.JOBS, name);
  if (!found) {
    const jobs = Object.values(env.JOBS ?? {}).flat().map((j) => j.name);
    return json(404, { error: `unknown job '${name}'`, jobs });
  }
  let scheduledTime = new Date().toISOString();
  const text = await request.text();
  if (text.trim()) {
    let body: { scheduledTime?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: "body must be JSON: {\"scheduledTime\": \"<ISO time>\"}" });
    }
    if (body.scheduledTime !== undefined) {
      const t = typeof body.scheduledTime === "string" ? Date.parse(body.scheduledTime) : NaN;
      if (Number.isNaN(t)) return json(400, { error: "scheduledTime must be an ISO time" });
      scheduledTime = new Date(t).toISOString();
    }
  }
  if (!env.TARGET_URL) return json(500, { error: "TARGET_URL binding missing" });
  log({ level: "info", event: "cron.manual", job: name, cron: found.cron, scheduledTime });
  const result = await runJob(found.job, {
    cron: found.cron,
    scheduledTime,
    targetUrl: env.TARGET_URL,
    secret: env.CRON_SECRET,
    policy: resolvePolicy(env.RETRY_POLICY),
  });
  await alertOn([result], env, "manual");
  // 502: the Worker worked, the backend did not; the body says why.
  return json(result.ok ? 200 : 502, { ...result, scheduledTime, idempotencyKey: `${name}:${scheduledTime}` });
}
