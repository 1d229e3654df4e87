import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postWebhook, webhookKind } from "../../worker/notify";
import { FakeClock } from "./fake-clock";
import { OpsRun } from "./harness";

// `webstack notify` and the shared webhook code against a local receiver that plays Slack and
// Discord, rate limits included; the waits they ask for pass on a FakeClock.

const SLACK_PATH = "/services/T0001/B0001/slacksecrettoken";
const DISCORD_PATH = "/api/webhooks/987654321/discordsecrettoken";
let server: Server;
let base = "";
let t: OpsRun;
const received: { path: string; body: any }[] = [];
const replies: { status: number; body?: string; headers?: Record<string, string> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(body) });
      const r = replies.shift() ?? (req.url === SLACK_PATH ? { status: 200, body: "ok" } : { status: 204 });
      res.writeHead(r.status, r.headers ?? {}).end(r.body ?? "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  received.length = 0;
  replies.length = 0;
  t = new OpsRun();
});

const outputs = (webhook: string) =>
  t.outputs({
    environment: "production",
    appName: "ott",
    backendUrl: "https://api.ott.example.com",
    frontendUrl: "https://ott.example.com",
    cronSecret: "cron-secret-value-123",
    databaseOwnerConnection: "postgresql://ott_prod:db-password-456@db.example.com:5432/ott_prod",
    notifyWebhookUrl: webhook,
  });

describe("webstack notify", () => {
  it("posts a Slack message with the stack, commit, URLs and what was rolled back, waiting out a 429's Retry-After", async () => {
    const rolled = {
      stack: "prod",
      moved: [{ kind: "render", name: "ott-prod-api", from: { id: "dep-new", commit: "abc1234" }, to: { id: "dep-old", commit: "def5678" }, deployId: "dep-rb", result: "live" }],
      skipped: [],
      notes: [],
    };
    writeFileSync(join(t.dir, "rollback.json"), JSON.stringify(rolled));
    replies.push({ status: 429, body: "rate_limited", headers: { "retry-after": "3" } });
    const code = await t.run(
      "notify", "prod", "--outputs", outputs(base + SLACK_PATH), "--status", "failure", "--commit", "abc1234def", "--rolled-back", "rollback.json",
      "--run-url", "https://github.com/acme/ott/actions/runs/1", "--message", "verify failed (secret cron-secret-value-123 in a log line)",
    );
    expect(code).toBe(0);
    expect(t.stdout).toBe("notified (2 attempts)");
    expect(t.clock.slept).toEqual([3000]);
    expect(received).toHaveLength(2);
    const body = received[1]!.body;
    expect(body.text.split("\n")).toEqual([
      "🔴 ott prod: deploy abc1234 failed",
      "verify failed (secret [redacted] in a log line)",
      "backend: https://api.ott.example.com",
      "frontend: https://ott.example.com",
      "rolled back:",
      "• ott-prod-api: dep-new (abc1234) → dep-old (def5678); rollback deploy dep-rb live",
      "run: https://github.com/acme/ott/actions/runs/1",
    ]);
    expect(body.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: "🔴 *ott prod: deploy abc1234 failed*" } });
    const wire = JSON.stringify(received.map((r) => r.body));
    for (const secret of ["cron-secret-value-123", "db-password-456", "slacksecrettoken"]) expect(wire).not.toContain(secret);
  });

  it("posts to Discord, preferring the body's retry_after to the header, without mentions", async () => {
    replies.push({ status: 429, body: JSON.stringify({ message: "You are being rate limited.", retry_after: 1.5, global: false }), headers: { "content-type": "application/json", "retry-after": "2" } });
    expect(await t.run("notify", "prod", "--outputs", outputs(base + DISCORD_PATH), "--status", "success", "--commit", "abc1234def")).toBe(0);
    expect(t.clock.slept).toEqual([1500]);
    expect(received[1]!.body).toEqual({
      content: "🟢 **ott prod: deploy abc1234 succeeded**\nbackend: https://api.ott.example.com\nfrontend: https://ott.example.com",
      allowed_mentions: { parse: [] },
    });
  });

  it("gives up on a gone webhook at once and on a wait longer than a minute, never naming the URL", async () => {
    replies.push({ status: 404, body: JSON.stringify({ message: "Unknown Webhook", code: 10015 }) });
    expect(await t.run("notify", "prod", "--outputs", outputs(base + DISCORD_PATH), "--status", "success")).toBe(1);
    expect(t.stderr).toBe('notify: the webhook did not take the message: HTTP 404 {"message":"Unknown Webhook","code":10015}');
    expect(received).toHaveLength(1);
    replies.push({ status: 429, headers: { "retry-after": "120" } });
    const r = await postWebhook(base + SLACK_PATH, { text: "x" }, { sleep: (ms) => new FakeClock().sleep(ms) });
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 429, error: "rate limited; the 120 s wait asked for is longer than 60 s" });
    expect(JSON.stringify(r)).not.toContain("slacksecrettoken");
  });

  it("sends nothing without a webhook, and tells Slack from Discord by the URL's path", async () => {
    const file = t.outputs({ environment: "staging" });
    expect(await t.run("notify", "staging", "--outputs", file, "--status", "success")).toBe(0);
    expect(t.stdout).toBe("staging has no webhook (webstack:notify), and WEBSTACK_NOTIFY_WEBHOOK_URL is unset: nothing sent");
    expect(received).toEqual([]);
    expect(webhookKind("https://hooks.slack.com/services/T1/B2/xyz")).toBe("slack");
    expect(webhookKind("https://discord.com/api/webhooks/1/tok")).toBe("discord");
    expect(webhookKind("https://discord.com/api/v10/webhooks/1/tok")).toBe("discord");
    expect(webhookKind("https://example.com/hook")).toBeUndefined();
  });
});
