import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMPATIBILITY_DATE, CronTrigger, type CronTriggerArgs } from "../../components/cron-trigger";
import { SECRET } from "../../synth/manifest";
import { bundleWorker } from "../../worker/bundle";
import { byType, one, settle, synthComponent } from "../harness";

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const TRIGGER = "cloudflare:index/workersCronTrigger:WorkersCronTrigger";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const COMPONENT = "webstack:index:CronTrigger";

const base = (): CronTriggerArgs => ({
  accountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
  scriptName: "ott-dev-cron",
  targetUrl: "https://api.ott.example.com",
  jobs: [
    { name: "expire-tickets", schedule: "*/5 * * * *", path: "/internal/cron/expire-tickets" },
    { name: "send-digest", schedule: "0 8 * * MON-FRI", path: "/internal/cron/digest", method: "PUT" },
    { name: "refresh", schedule: "*/5   * * * *", path: "/internal/cron/refresh" },
  ],
});

/** Builds one CronTrigger under mocks and returns the manifest and the component. */
async function build(args: CronTriggerArgs) {
  let trigger: CronTrigger | undefined;
  const manifest = await synthComponent(() => {
    trigger = new CronTrigger("cron", args);
  });
  return { manifest, trigger: trigger! };
}

afterEach(() => vi.restoreAllMocks());

describe("CronTrigger", () => {
  it("deploys the bundled Worker with its bindings and one trigger with the unique schedules", async () => {
    const { manifest } = await build(base());
    const component = one(manifest, COMPONENT);
    const script = one(manifest, SCRIPT);
    const trigger = one(manifest, TRIGGER);
    expect(script.parent).toBe(component.urn);
    expect(trigger.parent).toBe(component.urn);
    expect(script.name).toBe("cron-script");
    expect(script.inputs).toMatchObject({
      accountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
      scriptName: "ott-dev-cron",
      mainModule: "index.js",
      compatibilityDate: COMPATIBILITY_DATE,
      content: bundleWorker(),
    });
    // The secret binding makes the whole bindings list secret (Pulumi hoists secrecy to the property).
    expect(script.inputs.bindings).toBe(SECRET);
    expect(trigger.inputs).toEqual({
      accountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
      scriptName: "ott-dev-cron",
      schedules: [{ cron: "*/5 * * * *" }, { cron: "0 8 * * MON-FRI" }],
    });
    // The trigger is registered against the script's output, so it waits for the script.
    expect(trigger.dependsOn).toContain(script.urn);
    // The component's recorded inputs show what runs where; jobs sharing a schedule are grouped.
    expect(component.inputs.jobs).toEqual({
      "*/5 * * * *": [
        { name: "expire-tickets", method: "POST", path: "/internal/cron/expire-tickets" },
        { name: "refresh", method: "POST", path: "/internal/cron/refresh" },
      ],
      "0 8 * * MON-FRI": [{ name: "send-digest", method: "PUT", path: "/internal/cron/digest" }],
    });
  });

  it("passes JOBS, TARGET_URL and a secret CRON_SECRET to the Worker", async () => {
    const seen: Record<string, unknown>[] = [];
    const { trigger } = await build({ ...base(), timeoutSeconds: 5, budgetSeconds: 40 });
    // Bindings are secret as a whole in the manifest; read them from the registration instead.
    const mon: any = pulumi.runtime.getMonitor();
    for (const r of mon.resources.values()) if (r.urn.endsWith("::cron-script")) seen.push(r.state);
    const bindings = seen[0]!.bindings as any[];
    const unwrap = (v: any) => (v && typeof v === "object" && "value" in v ? v.value : v);
    const byName = Object.fromEntries(unwrap(bindings).map((b: any) => [b.name, b]));
    expect(Object.keys(byName)).toEqual(["JOBS", "TARGET_URL", "CRON_SECRET", "RETRY_POLICY"]);
    expect(byName.JOBS.type).toBe("json");
    expect(JSON.parse(byName.JOBS.json)["0 8 * * MON-FRI"]).toEqual([{ name: "send-digest", method: "PUT", path: "/internal/cron/digest" }]);
    expect(byName.TARGET_URL).toEqual({ type: "plain_text", name: "TARGET_URL", text: "https://api.ott.example.com" });
    expect(byName.CRON_SECRET.type).toBe("secret_text");
    expect(JSON.parse(byName.RETRY_POLICY.json)).toEqual({ timeoutMs: 5000, budgetMs: 40000 });
    // The generated secret: a URL-safe RandomPassword, exposed only as a secret output.
    expect(byName.CRON_SECRET.text).toBe((await settle(trigger.secret)).value);
    expect(await settle(trigger.secret)).toMatchObject({ secret: true });
    expect(await settle(trigger.scriptName)).toEqual({ value: "ott-dev-cron", secret: false });
  });

  it("generates a URL-safe secret unless one is given, and never shows it", async () => {
    const generated = await build(base());
    expect(one(generated.manifest, PASSWORD).inputs).toMatchObject({ length: 48, special: false });
    const given = await build({ ...base(), secret: pulumi.secret("s3cr3t-from-config") });
    expect(byType(given.manifest, PASSWORD)).toHaveLength(0);
    expect(await settle(given.trigger.secret)).toEqual({ value: "s3cr3t-from-config", secret: true });
    // A plain string secret is still wrapped, and never lands in the component's inputs.
    const plain = await build({ ...base(), secret: "plain-secret-value" });
    expect((await settle(plain.trigger.secret)).secret).toBe(true);
    expect(JSON.stringify(plain.manifest)).not.toContain("plain-secret-value");
  });

  it("keeps the Worker but registers no schedule when disabled", async () => {
    const { manifest, trigger } = await build({ ...base(), enabled: false });
    expect(byType(manifest, SCRIPT)).toHaveLength(1);
    expect(one(manifest, TRIGGER).inputs.schedules).toEqual([]);
    expect((await settle(trigger.schedules)).value).toEqual([]);
    expect(Object.keys(one(manifest, COMPONENT).inputs.jobs as object)).toEqual(["*/5 * * * *", "0 8 * * MON-FRI"]);
  });

  it("adds a keep-alive GET of the health path every 10 minutes", async () => {
    const { manifest } = await build({ ...base(), keepAlive: true, healthCheckPath: "/healthz" });
    expect(one(manifest, TRIGGER).inputs.schedules).toEqual([{ cron: "*/5 * * * *" }, { cron: "0 8 * * MON-FRI" }, { cron: "*/10 * * * *" }]);
    expect((one(manifest, COMPONENT).inputs.jobs as any)["*/10 * * * *"]).toEqual([{ name: "keep-alive", method: "GET", path: "/healthz" }]);
  });

  it("defaults the script name to project-stack-name", async () => {
    const { scriptName: _, ...args } = base();
    const { manifest } = await build(args);
    expect(one(manifest, SCRIPT).inputs.scriptName).toBe("webstack-test-cron");
  });

  it("warns about numeric weekdays, naming the arg", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    await build({ ...base(), jobs: [{ name: "weekly", schedule: "0 9 * * 2", path: "/w" }] });
    expect(warn.mock.calls.map((c) => c[0])).toContainEqual(expect.stringMatching(/^CronTrigger 'cron': jobs\[0\]\.schedule: .*'2' means MON/));
  });

  it.each([
    ["@daily", /jobs\[0\]\.schedule: '@daily': Cloudflare does not accept macros/],
    ["0 0 ? * MON", /jobs\[0\]\.schedule: .*does not accept '\?'/],
    ["0 */5 * * * *", /jobs\[0\]\.schedule: .*got 6; Cloudflare has no seconds field/],
    ["0 0 * * 0", /jobs\[0\]\.schedule: .*day of week 0 is not valid/],
    ["61 * * * *", /jobs\[0\]\.schedule: .*minute: 61/],
  ])("rejects %s before registering anything", async (schedule, message) => {
    const failing = build({ ...base(), jobs: [{ name: "a", schedule, path: "/a" }] });
    await expect(failing).rejects.toThrow(message);
    const m = await synthComponent(() => {
      try {
        new CronTrigger("cron", { ...base(), jobs: [{ name: "a", schedule, path: "/a" }] });
      } catch {
        // expected
      }
    });
    expect(m.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("rejects duplicate names and paths, a reserved name, and too many schedules", async () => {
    await expect(
      build({
        ...base(),
        keepAlive: true,
        jobs: [
          { name: "a", schedule: "1 * * * *", path: "/a" },
          { name: "a", schedule: "2 * * * *", path: "/a" },
          { name: "keep-alive", schedule: "3 * * * *", path: "/c" },
          { name: "d", schedule: "4 * * * *", path: "/d" },
          { name: "e", schedule: "5 * * * *", path: "/e" },
        ],
      }),
    ).rejects.toThrow(
      [
        "CronTrigger 'cron': invalid args:",
        "  jobs[1].name: 'a' is already the name of jobs[0]",
        "  jobs[1].path: '/a' is already the path of jobs[0]",
        "  jobs[2].name: 'keep-alive' is reserved for the keep-alive ping",
        "  jobs: 6 distinct schedules (keep-alive included), but a Worker gets at most 5 cron triggers (Cloudflare: 5 per account on Workers Free); let jobs share a schedule",
      ].join("\n"),
    );
  });
});
