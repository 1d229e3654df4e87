import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { missingSecrets } from "../../config/secrets";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const SLACK = "https://hooks.slack.com/services/T0001/B0001/xoxsecrettoken";
const DISCORD = "https://discord.com/api/webhooks/1234567890/discordsecrettoken";

function withNotify(notify: unknown, secrets: Record<string, string> = {}) {
  const raw = rawSections(readStackFile(ROOT, "staging").config) as Record<string, any>;
  raw.notify = notify;
  raw.secrets = { STRIPE_SECRET_KEY: "sk", WEBHOOK_SIGNING_KEY: "wh", ...secrets };
  return validateStackConfig(raw);
}

describe("webstack:notify", () => {
  it.each([SLACK, DISCORD])("accepts a webhook held in webstack:secrets (%s)", (url) => {
    const r = withNotify({ webhook: { secret: "NOTIFY_WEBHOOK_URL" } }, { NOTIFY_WEBHOOK_URL: url });
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("refuses a URL written into the stack file, naming the key and how to store it, without repeating it", () => {
    const r = withNotify({ webhook: SLACK });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors).toEqual([
      "webstack:notify.webhook: a webhook URL is a credential; keep it out of the stack file: " +
        "pulumi config set --path --secret 'secrets.NOTIFY_WEBHOOK_URL' '<url>', then write webhook: {secret: NOTIFY_WEBHOOK_URL}",
    ]);
    expect(errors.join("\n")).not.toContain("xoxsecrettoken");
  });

  it("suggests the key for a misspelling", () => {
    const r = withNotify({ webhok: { secret: "NOTIFY_WEBHOOK_URL" } });
    expect(r.ok ? [] : r.errors).toEqual([
      "webstack:notify.webhook: missing required key (expected object)",
      "webstack:notify.webhok: unknown key; did you mean 'webhook'?",
    ]);
  });

  it("checks the secret's value is a Slack or Discord webhook, without printing it", () => {
    const r = withNotify({ webhook: { secret: "NOTIFY_WEBHOOK_URL" } }, { NOTIFY_WEBHOOK_URL: "https://example.com/services/a/b/topsecret" });
    const errors = r.ok ? [] : r.errors;
    expect(errors).toEqual([
      "webstack:secrets.NOTIFY_WEBHOOK_URL: (the notify webhook) expected a Slack (https://hooks.slack.com/services/…) or Discord (https://discord.com/api/webhooks/…) incoming-webhook URL",
    ]);
    expect(errors.join("\n")).not.toContain("topsecret");
  });

  it("counts the webhook secret among the secrets a stack must set", () => {
    const r = withNotify({ webhook: { secret: "NOTIFY_WEBHOOK_URL" } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(missingSecrets(r.config)).toEqual(["NOTIFY_WEBHOOK_URL"]);
  });
});
