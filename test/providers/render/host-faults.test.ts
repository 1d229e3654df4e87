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

/** `pulumi up` of one resource, re-run until it succeeds; each failure must be one clear, retryable line. */
async function upUntilDone(step: () => Promise<unknown>, failures: string[], faultCount: number): Promise<void> {
  for (;;) {
    try {
      await step();
      return;
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toMatch(/^Render (service|custom domain|Postgres) '[^']+'(: | \S+ exists, but )Render API (GET|POST|PATCH|PUT|DELETE) \/\S+ failed \((\d+|no response)\): .*gave up/);
      failures.push(message);
      // Each failed run spends at least one planned fault, so re-running always ends.
      expect(failures.length).toBeLessThanOrEqual(faultCount);
    }
  }
}

async function runSchedule(faults: (FaultKind | undefined)[], withUpdate: boolean): Promise<string[]> {
  emu.reset({ slowMs: SLOW_MS });
  emu.schedule = faults;
  const engine = new Engine(host);
  const failures: string[] = [];
  const faultCount = faults.filter(Boolean).length;
  // The main service with a custom domain, a branch copy, and the stack's database.
  const specs = [base, { ...base, name: `${base.name}-alice`, branch: "alice" }];
  for (const spec of specs) {
    await upUntilDone(() => engine.up("service", spec.name, spec), failures, faultCount);
    if (withUpdate) await upUntilDone(() => engine.up("service", spec.name, { ...next, name: spec.name, branch: spec.branch }), failures, faultCount);
  }
  const mainId = engine.get("service", base.name).id;
  await upUntilDone(() => engine.up("customDomain", "domain", { serviceId: mainId, name: "example.com" }), failures, faultCount);
  const wantDomain = withUpdate ? "api.example.org" : "example.com";
  // A new name replaces the domain, the old one deleted first.
  if (withUpdate) await upUntilDone(() => engine.up("customDomain", "domain", { serviceId: mainId, name: wantDomain }), failures, faultCount);
  await upUntilDone(() => engine.up("postgres", "db", withUpdate ? { ...DB, plan: "basic_1gb" } : DB), failures, faultCount);

  emu.schedule = [];
  for (const spec of specs) {
    const want = withUpdate ? { ...next, name: spec.name, branch: spec.branch } : spec;
    const s = engine.get("service", spec.name);
    expect(emu.listServices().filter((x) => x.name === spec.name).map((x) => x.id)).toEqual([s.id]);
    expect(emu.envVarsOf(s.id)).toEqual(want.envVars);
    // A refresh and another up find nothing left to do.
    await engine.refresh(s.urn);
    expect((await engine.up("service", spec.name, want)).op).toBe("same");
  }
  expect(emu.services.size).toBe(specs.length);
  expect(emu.domainsOf(mainId).filter((x) => !x.redirectForName).map((x) => x.name)).toEqual([wantDomain]);
  expect(engine.get("customDomain", "domain").outputs).toMatchObject({ serviceId: mainId, name: wantDomain });
  expect([...emu.postgres.values()].map((p) => p.pg.plan)).toEqual([withUpdate ? "basic_1gb" : "basic_256mb"]);
  return failures;
}

describe("fault schedules through the provider host", () => {
  const kinds: FaultKind[] = ["429", "500", "503", "drop", "slow", "lost"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 14 });

  it("end with exactly one object per name, in the desired state, for 200 random schedules", async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.boolean(), async (faults, withUpdate) => {
        await runSchedule(faults, withUpdate);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
    // About 10 s here with the rest of the suite idle.
  }, 180_000);

  it("converge on the next run, without a duplicate, when one run exhausts its retries", async () => {
    // More 429s in a row than the client's 8 attempts: the first create gives up, the re-run creates once.
    const failures = await runSchedule(Array(9).fill("429"), false);
    expect(failures).toEqual(["Render service 'ott-dev-api': Render API POST /services failed (429): rate limit exceeded (gave up after 8 attempts)"]);
  });
});
