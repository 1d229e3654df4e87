import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { CronTrigger, type CronTriggerArgs } from "../../components/cron-trigger";
import { byType, one, settle, synthComponent, synthStack } from "../harness";

const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const SUBDOMAIN = "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain";
const HOOK = "https://hooks.slack.com/services/T000/B000/hooksecretvalue";

const base = (): CronTriggerArgs => ({
  accountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
  scriptName: "ott-dev-cron",
  targetUrl: "https://api.ott.example.com",
  keepAlive: true,
  healthCheckPath: "/healthz",
  jobs: [{ name: "expire-tickets", schedule: "*/5 * * * *", path: "/internal/cron/expire-tickets" }],
});

async function build(args: CronTriggerArgs) {
  let trigger: CronTrigger | undefined;
  const manifest = await synthComponent(() => {
    trigger = new CronTrigger("cron", args);
  });
  const mon: any = pulumi.runtime.getMonitor();
  let bindings: any[] = [];
  for (const r of mon.resources.values()) if (r.urn.endsWith("::cron-script")) bindings = r.state.bindings?.value ?? r.state.bindings;
  return { manifest, trigger: trigger!, bindings: Object.fromEntries(bindings.map((b: any) => [b.name, b])) };
}

describe("CronTrigger's run-now address and alerts", () => {
  it("puts every Worker on workers.dev for the run-now route, and names its jobs", async () => {
    const { manifest, trigger, bindings } = await build(base());
    expect(one(manifest, SUBDOMAIN).inputs).toEqual({ accountId: base().accountId, scriptName: "ott-dev-cron", enabled: true, previewsEnabled: false });
    expect(await settle(trigger.jobNames)).toEqual({ value: ["expire-tickets", "keep-alive"], secret: false });
    // No webhook: no KV namespace and no alert bindings.
    expect(byType(manifest, KV)).toHaveLength(0);
    expect(Object.keys(bindings)).toEqual(["JOBS", "TARGET_URL", "CRON_SECRET"]);
  });

  it("with a webhook: a secret NOTIFY_WEBHOOK_URL, a KV namespace bound as STATE, and the stack label", async () => {
    const { manifest, bindings } = await build({ ...base(), notifyWebhookUrl: pulumi.secret(HOOK), label: "ott dev" });
    const kv = one(manifest, KV);
    expect(kv.inputs).toEqual({ accountId: base().accountId, title: "ott-dev-cron-state" });
    expect(bindings.STATE).toEqual({ type: "kv_namespace", name: "STATE", namespaceId: "cron-state-id" });
    expect(bindings.NOTIFY_WEBHOOK_URL.type).toBe("secret_text");
    expect(bindings.STACK_LABEL).toEqual({ type: "plain_text", name: "STACK_LABEL", text: "ott dev" });
    expect(JSON.stringify(manifest)).not.toContain("hooksecretvalue");
    // A plain string is made secret too.
    const plain = await build({ ...base(), notifyWebhookUrl: HOOK });
    expect(JSON.stringify(plain.manifest)).not.toContain("hooksecretvalue");
  });

  it("index.ts wires webstack:notify into the Worker and exports what `webstack` needs, secrets as secrets", async () => {
    const m = await synthStack("dev", {
      notify: { webhook: { secret: "NOTIFY_WEBHOOK_URL" } },
      "webstack:secrets": { STRIPE_TEST_SECRET_KEY: "sk", WEBHOOK_SIGNING_KEY: "wh", NOTIFY_WEBHOOK_URL: HOOK },
    });
    expect(one(m, KV).inputs.title).toBe("ott-dev-cron-state");
    expect(m.outputs).toMatchObject({
      cronAccountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
      cronJobs: ["expire-tickets", "keep-alive"],
      cronSecret: "[secret]",
      notifyWebhookUrl: "[secret]",
    });
    expect(JSON.stringify(m)).not.toContain("hooksecretvalue");
  });
});
