import { isTimeout, type Clock } from "./clock";

/** One HTTP check of a URL: what it answered and how fast, or why it did not. */
export interface Probe {
  url: string;
  up: boolean;
  status?: number;
  latencyMs: number;
  /** For people: `HTTP 200`, `HTTP 500: <start of body>`, `no answer within 10 s`, `connection refused`. */
  answer: string;
  /**
   * Vercel Deployment Protection answered instead of the site (a 401 from Vercel Authentication,
   * or a redirect to Vercel's login): the site's own health is unknown, and it is not down.
   */
  protected?: boolean;
}

export interface ProbeOptions {
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** The command's deadline: the probe ends when it aborts. */
  signal?: AbortSignal;
  /** Vercel's automation bypass secret, sent as `x-vercel-protection-bypass`. */
  bypassSecret?: string;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS)",
  ECONNRESET: "connection reset",
  CERT_HAS_EXPIRED: "TLS certificate expired",
};

/**
 * Vercel Authentication's wall: a 401 marked by Vercel (`x-vercel-error`, the SSO nonce cookie, its
 * "Authentication Required" page), or a redirect that ended on Vercel's SSO or login page.
 */
function vercelProtection(res: Response, body: string): boolean {
  const final = (() => {
    try {
      return new URL(res.url);
    } catch {
      return undefined;
    }
  })();
  if (final && /(^|\.)vercel\.com$/.test(final.hostname) && /^\/(sso-api|login)/.test(final.pathname)) return true;
  if (final && /^\/sso-api/.test(final.pathname) && res.redirected) return true;
  if (res.status !== 401) return false;
  return !!res.headers.get("x-vercel-error") || /_vercel_sso_nonce/.test(res.headers.get("set-cookie") ?? "") || /Authentication Required|vercel\.com\/sso-api/i.test(body);
}

/** GETs a URL (redirects followed); 2xx is up. Never throws: an unreachable URL is a down probe. */
export async function probe(url: string, clock: Clock, opts: ProbeOptions | number = {}): Promise<Probe> {
  const o: ProbeOptions = typeof opts === "number" ? { timeoutMs: opts } : opts;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const watch = clock.deadline(timeoutMs, o.signal);
  const headers: Record<string, string> = { "user-agent": "webstack-ops/1" };
  if (o.bypassSecret) headers["x-vercel-protection-bypass"] = o.bypassSecret;
  try {
    const res = await fetch(url, { headers, signal: watch.signal });
    const latencyMs = watch.elapsed();
    let body = "";
    let up = res.status >= 200 && res.status < 300;
    if (up && !res.redirected) await res.body?.cancel().catch(() => undefined);
    else body = await res.text().catch(() => "");
    if (vercelProtection(res, body)) {
      // With the secret, the wall means the secret was refused: the check failed.
      const answer = o.bypassSecret
        ? "Vercel Deployment Protection refused the bypass secret (x-vercel-protection-bypass)"
        : "protected by Vercel Authentication (no bypass secret)";
      return { url, up: false, status: res.status, latencyMs, answer, protected: !o.bypassSecret };
    }
    up = res.status >= 200 && res.status < 300;
    let answer = `HTTP ${res.status}`;
    const text = body.replace(/\s+/g, " ").trim().slice(0, 120);
    if (!up && text) answer += `: ${text}`;
    return { url, up, status: res.status, latencyMs, answer };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const latencyMs = watch.elapsed();
    const code = e?.cause?.code ?? "";
    const limit = Math.min(timeoutMs, latencyMs || timeoutMs);
    const answer = isTimeout(e) || watch.signal.aborted
      ? `no answer within ${Math.round(limit / 100) / 10} s`
      : (REASONS[code] ?? (code || e?.cause?.message || e?.message || String(err)));
    return { url, up: false, latencyMs, answer };
  }
}
