/** The Cloudflare call `webstack cron run` needs: the account's workers.dev subdomain. */
import type { Clock } from "./clock";
import { OpsError, requireEnv } from "./errors";

/** `https://<script>.<subdomain>.workers.dev`, from `GET /accounts/{id}/workers/subdomain`. */
export async function workerUrl(env: Record<string, string | undefined>, clock: Clock, accountId: string, script: string): Promise<string> {
  const token = requireEnv(env, "CLOUDFLARE_API_TOKEN", "finding the cron Worker's workers.dev address (or pass --url)");
  const base = (env.CLOUDFLARE_API_URL ?? "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
  const res = await fetch(`${base}/accounts/${accountId}/workers/subdomain`, { headers: { authorization: `Bearer ${token}` }, signal: clock.timeout(30_000) });
  const body = (await res.json().catch(() => ({}))) as { success?: boolean; result?: { subdomain?: string }; errors?: { message?: string }[] };
  const subdomain = body.result?.subdomain;
  if (!res.ok || !subdomain) {
    throw new OpsError(`Cloudflare did not give the account's workers.dev subdomain (HTTP ${res.status}${body.errors?.[0]?.message ? `: ${body.errors[0].message}` : ""}); pass --url`);
  }
  return `https://${script}.${subdomain}.workers.dev`;
}
