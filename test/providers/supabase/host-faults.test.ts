/**
 * Random fault schedules against the Supabase project provider in the SDK's real dynamic-provider
 * host: lost answers, 429 with `X-RateLimit-Reset`, 5xx, dropped connections, a project stuck in
 * COMING_UP, an empty pooler list and a 400 "not ready" on delete, with `pulumi up` (and
 * `destroy`) re-run until it succeeds. Whatever happens, one project is ever created per name.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upUntilDone } from "../../engine/up-until-done";
import type { ProviderHost } from "../../engine/provider-host";
import { type FaultKind, type SupabaseEmulator, startEmulator } from "./emulator";
import { startSupabaseHost, supabaseEngine } from "./host";

let emu: SupabaseEmulator;
let host: ProviderHost;

beforeAll(async () => {
  emu = await startEmulator();
  host = await startSupabaseHost(emu);
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});

const P = { organizationSlug: "acme", name: "ott-prod", region: "eu-west-2", instanceSize: "micro" };
/** Each failed run on the way: one line naming the project and the call, whether or not the ref was recorded yet. */
const FAILURE = /^Supabase project 'ott-prod'(: | [a-z]{20} exists, but )Supabase Management API (GET|POST|PATCH|DELETE) \/v1\/\S+ failed \((\d+|no response)\): .*gave up/;

type Then = "resize" | "destroy" | "nothing";

async function runSchedule(faults: (FaultKind | undefined)[], then: Then): Promise<void> {
  // The fewest polls the lifecycle allows: the schedule's own faults add the stuck and empty answers.
  emu.reset({ comingUpPolls: 0, poolerEmptyPolls: 0 });
  const engine = supabaseEngine(host);
  const failures: string[] = [];
  const faultCount = faults.filter(Boolean).length;
  emu.schedule = faults;
  await upUntilDone(() => engine.up("project", "db", P), failures, faultCount, FAILURE);
  const want = then === "resize" ? { ...P, instanceSize: "small" } : P;
  if (then === "resize") await upUntilDone(() => engine.up("project", "db", want), failures, faultCount, FAILURE);
  if (then === "destroy") await upUntilDone(() => engine.delete(engine.get("project", "db").urn), failures, faultCount, FAILURE);
  emu.schedule = [];

  // Never a second billable project, whatever was lost on the way.
  expect(emu.created).toEqual(["ott-prod"]);
  if (then === "destroy") return void expect(emu.projects.size).toBe(0);
  const s = engine.get("project", "db");
  const p = emu.projects.get(s.id)!;
  expect(p).toMatchObject({ name: "ott-prod", size: want.instanceSize, status: "ACTIVE_HEALTHY" });
  // The password in state is the one the database has, and it is in the pooler URL.
  expect(s.outputs.dbPassword).toBe(p.password);
  expect(s.outputs.sessionUrl).toBe(`postgresql://postgres.${s.id}:${p.password}@aws-1-eu-west-2.pooler.supabase.com:5432/postgres?sslmode=require`);
  expect(s.outputs.serviceRoleKey).toBe(`sb_secret_${s.id}`);
  expect(await engine.up("project", "db", want, { preview: true })).toMatchObject({ op: "same" });
}

describe("Supabase project fault schedules through the provider host", () => {
  const kinds: FaultKind[] = ["429", "500", "503", "drop", "lost", "notReady", "emptyPooler", "stuck"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 14 });

  it("end with exactly one project, in the desired state (or deleted), for 200 random schedules", async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.constantFrom<Then>("resize", "destroy", "nothing"), async (faults, then) => runSchedule(faults, then)),
      { numRuns: Number(process.env.FC_RUNS ?? 200), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
  }, 120_000);

  it("a create whose every answer is lost still leaves one project, adopted by the next run", async () => {
    emu.reset({});
    const engine = supabaseEngine(host);
    // The lookup answers, the POST creates but its answer is lost, and so are the three lookups after it.
    emu.schedule = [undefined, "lost", "lost", "lost", "lost"];
    const first = await engine.up("project", "db", P).catch((e) => e);
    expect(first.message).toMatch(/^Supabase project 'ott-prod': Supabase Management API GET \/v1\/projects failed \(no response\)/);
    const again = await engine.up("project", "db", P);
    expect(emu.created).toEqual(["ott-prod"]);
    expect(again.state!.outputs.dbPassword).toBe(emu.projects.get(again.state!.id)!.password);
  });
});
