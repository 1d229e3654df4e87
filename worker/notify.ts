/**
 * Slack and Discord incoming webhooks: one message format, and a POST that respects their rate
 * limits (Slack: 429 + `Retry-After` seconds; Discord: 429 + JSON `retry_after` float seconds,
 * and the same header). Used by the cron Worker (alerts) and by `webstack notify` (ops/).
 * Only globals (`fetch`), so it bundles into the Worker.
 */

export type WebhookKind = "slack" | "discord";

/**
 * Which service a webhook URL belongs to, by its path: Slack's `/services/T…/B…/…`, Discord's
 * `/api/webhooks/{id}/{token}` (optionally `/api/v10/…`). By path rather than host, so a relay
 * or a local receiver with the same path shape works too.
 */
export function webhookKind(url: string): WebhookKind | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (/^\/api(\/v\d+)?\/webhooks\/[^/]+\/[^/]+\/?$/.test(path)) return "discord";
  if (/^\/services\/[^/]+\/[^/]+\/[^/]+\/?$/.test(path)) return "slack";
  return undefined;
}

export interface Notification {
  /** One line, e.g. `ott prod: cron job expire-tickets failed`. */
  title: string;
  level: "failure" | "warning" | "success" | "info";
  /** Details, one per line. */
  lines?: string[];
}

const MARK: Record<Notification["level"], string> = { failure: "🔴", warning: "🟠", success: "🟢", info: "🔵" };

/** Replaces each secret (and its URL-encoded form) with `[redacted]`: no secret ever reaches a channel. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("[redacted]");
  }
  return out;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters. */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The JSON body for the webhook, with every secret redacted. */
export function webhookBody(kind: WebhookKind, n: Notification, secrets: readonly (string | undefined)[] = []): Record<string, unknown> {
  const title = redact(n.title, secrets);
  const lines = (n.lines ?? []).map((l) => redact(l, secrets));
  if (kind === "slack") {
    const text = [`${MARK[n.level]} ${title}`, ...lines].map(slackEscape).join("\n");
    // `text` too: Slack's mobile notifications read only it.
    return {
      text,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: slackEscape(`${MARK[n.level]} *${title}*`) } },
        ...(lines.length ? [{ type: "section", text: { type: "mrkdwn", text: lines.map(slackEscape).join("\n") } }] : []),
      ],
    };
  }
  const content = [`${MARK[n.level]} **${title}**`, ...lines].join("\n");
  // Discord caps content at 2000 characters; no mentions, whatever an error text holds.
  return { content: content.length > 2000 ? `${content.slice(0, 1997)}...` : content, allowed_mentions: { parse: [] } };
}

export interface PostOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Attempts in all (429s and 5xx included). Default 4. */
  maxAttempts?: number;
  /** Longest single wait a rate limit may ask for before giving up. Default 60 s. */
  maxWaitMs?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  /** Abort signal per attempt (ops passes its injected clock's); defaults to AbortSignal.timeout. */
  signal?: (ms: number) => AbortSignal;
}

export interface PostResult {
  ok: boolean;
  attempts: number;
  status?: number;
  /** Why it failed; never contains the webhook URL. */
  error?: string;
}

/** Seconds to wait from a 429: Discord's JSON `retry_after`, else `Retry-After`, else 1 s. */
export async function rateLimitWaitMs(res: Response): Promise<number> {
  let body: unknown;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = undefined;
  }
  const fromBody = (body as { retry_after?: unknown } | undefined)?.retry_after;
  if (typeof fromBody === "number" && Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody * 1000);
  const header = Number(res.headers.get("retry-after") ?? "");
  if (res.headers.get("retry-after") !== null && Number.isFinite(header) && header >= 0) return Math.ceil(header * 1000);
  return 1000;
}

/**
 * POSTs a webhook body. 2xx is success (Slack answers 200 `ok`, Discord 204). A 429 waits as the
 * service asks; a 5xx or no answer backs off 1, 2, 4 s; other 4xx fail at once (a Discord 404
 * means the webhook is gone). Never rejects, and no error names the URL (it is the credential).
 */
export async function postWebhook(url: string, body: unknown, opts: PostOptions = {}): Promise<PostResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = opts.maxAttempts ?? 4;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const signal = opts.signal ?? ((ms: number) => AbortSignal.timeout(ms));
  let last: PostResult = { ok: false, attempts: 0, error: "not attempted" };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let wait: number;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "webstack-notify/1" },
        body: JSON.stringify(body),
        redirect: "manual",
        signal: signal(timeoutMs),
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true, attempts: attempt, status: res.status };
      }
      if (res.status === 429) {
        wait = await rateLimitWaitMs(res);
        last = { ok: false, attempts: attempt, status: 429, error: `rate limited (retry after ${Math.round(wait / 100) / 10} s)` };
        if (wait > maxWaitMs) return { ...last, error: `rate limited; the ${Math.round(wait / 1000)} s wait asked for is longer than ${Math.round(maxWaitMs / 1000)} s` };
      } else {
        const text = (await res.text().catch(() => "")).slice(0, 200).trim();
        last = { ok: false, attempts: attempt, status: res.status, error: `HTTP ${res.status}${text ? ` ${text}` : ""}` };
        if (res.status < 500) return last;
        wait = 1000 * 2 ** (attempt - 1);
      }
    } catch (err) {
      const e = err as Error;
      const what = e?.name === "TimeoutError" || e?.name === "AbortError" ? `no answer within ${timeoutMs} ms` : "network error";
      last = { ok: false, attempts: attempt, error: what };
      wait = 1000 * 2 ** (attempt - 1);
    }
    if (attempt < maxAttempts) await sleep(wait);
  }
  return last;
}

/** Formats and posts one notification; the webhook URL and the given secrets are redacted from it. */
export async function notify(url: string, n: Notification, secrets: readonly (string | undefined)[] = [], opts: PostOptions = {}): Promise<PostResult> {
  const kind = webhookKind(url);
  if (!kind) return { ok: false, attempts: 0, error: "not a Slack or Discord webhook URL" };
  return postWebhook(url, webhookBody(kind, n, [url, ...secrets]), opts);
}
