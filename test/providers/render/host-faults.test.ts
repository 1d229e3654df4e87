/**
 * Random fault schedules (429, 5xx, dropped connections, slow and lost answers) against the Render
 * providers running in the SDK's real dynamic-provider host, with `pulumi up` re-run until it
 * succeeds, as a user would: whatever happens, each name ends as exactly one object, in the desired
 * state, and every failure on the way is one clear, retryable line.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceInputs } from "../../../providers/render/service";
import { Engine } from "../../engine/engine";
import { upUntilDone } from "../../engine/up-until-done";
import type { ProviderHost } from "../../engine/provider-host";
import { startRenderHost } from "../../engine/render-host";
import { type FaultKind, type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

const OWNER = "tea-abc123";
// Only these tests inject slow answers (60 ms), so only their host has a timeout below that.
const SLOW_MS = 60;
let emu: RenderEmulator;
let host: ProviderHost;

beforeAll(async () => {
  emu = await startEmulator({ slowMs: SLOW_MS });
  host = await startRenderHost(emu, { RENDER_API_TIMEOUT_MS: "40", RENDER_API_MAX_ATTEMPTS: "8" });
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});

const base: ServiceInputs = webServiceInputs({
  ownerId: OWNER,
  name: "ott-dev-api",
  preDeployCommand: "npm run migrate",
  plan: "starter",
  region: "oregon",
  envVars: { DATABASE_URL: "postgres://u:p@h/db", NODE_ENV: "production" },
});
const next: ServiceInputs = { ...base, plan: "pro", envVars: { NODE_ENV: "production", X: "1" }, numInstances: 2 };
const DB = { ownerId: OWNER, name: "ott-dev-db", plan: "basic_256mb", version: "17", region: "oregon" };

/** What each failed `pulumi up` on the way must read like: one line naming the resource and the call. */
const FAILURE = /^Render (service|custom domain|Postgres) '[^']+'(: | \S+ exists, but )Render API (GET|POST|PATCH|PUT|DELETE) \/\S+ failed \((\d+|no response)\): .*gave up/;

/** Which part of a stack a schedule's faults land on: every fault hits the part under test. */
type Part = "services" | "domain" | "postgres";

async function runSchedule(faults: (FaultKind | undefined)[], withUpdate: boolean, part: Part): Promise<string[]> {
  emu.reset({ slowMs: SLOW_MS });
  const engine = new Engine(host);
  const failures: string[] = [];
  const faultCount = faults.filter(Boolean).length;
  const faulty = async (steps: () => Promise<void>) => {
    // The schedule counts requests from here on.
    emu.requests.length = 0;
    emu.schedule = faults;
    await steps();
    emu.schedule = [];
  };

  if (part === "services") {
    // The main service and a branch copy; the main one then changes.
    const specs = [base, { ...base, name: `${base.name}-alice`, branch: "alice" }];
    await faulty(async () => {
      for (const spec of specs) await upUntilDone(() => engine.up("service", spec.name, spec), failures, faultCount, FAILURE);
      if (withUpdate) await upUntilDone(() => engine.up("service", base.name, next), failures, faultCount, FAILURE);
    });
    for (const spec of specs) {
      const want = withUpdate && spec === base ? next : spec;
      const s = engine.get("service", spec.name);
      expect(emu.listServices().filter((x) => x.name === spec.name).map((x) => x.id)).toEqual([s.id]);
      expect(emu.envVarsOf(s.id)).toEqual(want.envVars);
      // Another up finds nothing left to do. (No refresh first: the faults are over, the objects are
      // checked above, and reading them back is host-lifecycle's and host-key-value's business.)
      expect((await engine.up("service", spec.name, want, { preview: true })).op).toBe("same");
    }
    expect(emu.services.size).toBe(specs.length);
  } else if (part === "domain") {
    // The service is there already (made directly, no engine calls): the faults land on the domain.
    const serviceId = emu.seedService(OWNER, base.name);
    const wantDomain = withUpdate ? "api.example.org" : "example.com";
    await faulty(async () => {
      await upUntilDone(() => engine.up("customDomain", "domain", { serviceId, name: "example.com" }), failures, faultCount, FAILURE);
      // A new name replaces the domain, the old one deleted first.
      if (withUpdate) await upUntilDone(() => engine.up("customDomain", "domain", { serviceId, name: wantDomain }), failures, faultCount, FAILURE);
    });
    expect(emu.domainsOf(serviceId).filter((x) => !x.redirectForName).map((x) => x.name)).toEqual([wantDomain]);
    expect(engine.get("customDomain", "domain").outputs).toMatchObject({ serviceId, name: wantDomain });
  } else {
    const want = withUpdate ? { ...DB, plan: "basic_1gb" } : DB;
    await faulty(async () => {
      await upUntilDone(() => engine.up("postgres", "db", DB), failures, faultCount, FAILURE);
      if (withUpdate) await upUntilDone(() => engine.up("postgres", "db", want), failures, faultCount, FAILURE);
    });
    // Postgres names are not unique at Render: exactly one database, whatever was lost on the way, and the one in state.
    expect([...emu.postgres.values()].map((p) => [p.pg.id, p.pg.plan])).toEqual([[engine.get("postgres", "db").id, want.plan]]);
    // Another up finds nothing left to do (no refresh first: the database is checked above).
    expect((await engine.up("postgres", "db", want, { preview: true })).op).toBe("same");
  }
  return failures;
}

describe("fault schedules through the provider host", () => {
  const kinds: FaultKind[] = ["429", "500", "503", "drop", "slow", "lost"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 14 });

  it("end with exactly one object per name, in the desired state, for 200 random schedules", async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.boolean(), fc.constantFrom<Part>("services", "domain", "postgres"), async (faults, withUpdate, part) => {
        await runSchedule(faults, withUpdate, part);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
  }, 180_000);

  it("converge on the next run, without a duplicate, when one run exhausts its retries", async () => {
    // More 429s in a row than the client's 8 attempts: the first create gives up, the re-run creates once.
    const failures = await runSchedule(Array(9).fill("429"), false, "services");
    expect(failures).toEqual([
      "Render service 'ott-dev-api': Render API POST /services failed (429): rate limit exceeded (gave up after 8 attempts). " +
        "Render allows 20 service creates an hour per workspace (POST /v1/services), and this workspace has used them: " +
        "run `pulumi up` again within the hour, or ask Render support to raise the limit.",
    ]);
  });
});
