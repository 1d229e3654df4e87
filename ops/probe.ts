import type { Clock } from "./clock";

/** One HTTP check of a URL: what it answered and how fast, or why it did not. */
export interface Probe {
  url: string;
  up: boolean;
  status?: number;
  latencyMs: number;
  /** For people: `HTTP 200`, `HTTP 500: <start of body>`, `no answer within 10 s`, `connection refused`. */
  answer: string;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS)",
  ECONNRESET: "connection reset",
  CERT_HAS_EXPIRED: "TLS certificate expired",
};

/** GETs a URL (redirects followed); 2xx is up. Never throws: an unreachable URL is a down probe. */
export async function probe(url: string, clock: Clock, timeoutMs = 10_000): Promise<Probe> {
  const watch = clock.deadline(timeoutMs);
  try {
    const res = await fetch(url, { headers: { "user-agent": "webstack-ops/1" }, signal: watch.signal });
    const latencyMs = watch.elapsed();
    const up = res.status >= 200 && res.status < 300;
    let answer = `HTTP ${res.status}`;
    if (up) await res.body?.cancel().catch(() => undefined);
    else {
      const text = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 120);
      if (text) answer += `: ${text}`;
    }
    return { url, up, status: res.status, latencyMs, answer };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const latencyMs = watch.elapsed();
    const timedOut = e?.name === "TimeoutError" || e?.name === "AbortError";
    const code = e?.cause?.code ?? "";
    const answer = timedOut
      ? `no answer within ${Math.round(timeoutMs / 100) / 10} s`
      : (REASONS[code] ?? (code || e?.cause?.message || e?.message || String(err)));
    return { url, up: false, latencyMs, answer };
  }
}
