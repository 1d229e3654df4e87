import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type SupabaseEmulator } from "../providers/supabase/emulator";
import { OpsRun } from "./harness";

// `webstack status` and `verify` read a Supabase project's status and its services' health.
let emu: SupabaseEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

async function project(status: string): Promise<string> {
  emu.reset({ comingUpPolls: 0, poolerEmptyPolls: 0 });
  const res = await fetch(`${emu.url}/v1/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "ott-staging-db", db_pass: "x".repeat(32), organization_slug: "hobby", region: "us-east-1" }),
  });
  const ref = ((await res.json()) as { ref: string }).ref;
  emu.projects.get(ref)!.status = status;
  return ref;
}

describe("webstack status / verify with a Supabase database", () => {
  it("report a healthy project, and a paused one as down with the reason", async () => {
    const t = new OpsRun();
    t.env = { SUPABASE_ACCESS_TOKEN: emu.token, SUPABASE_API_ENDPOINT: emu.url };
    let ref = await project("ACTIVE_HEALTHY");
    const file = t.outputs({ environment: "staging", supabaseProjectRef: ref, supabaseApiUrl: `https://${ref}.supabase.co` });
    expect(await t.run("status", "staging", "--outputs", file)).toBe(0);
    expect(t.stdout).toContain(`supabase ${ref}`);
    expect(t.stdout).toContain("ACTIVE_HEALTHY; db, pooler, rest, storage healthy");
    expect(await t.run("verify", "staging", "--outputs", file)).toBe(0);

    ref = await project("INACTIVE");
    const paused = t.outputs({ environment: "staging", supabaseProjectRef: ref }, "paused.json");
    expect(await t.run("status", "staging", "--outputs", paused)).toBe(1);
    expect(t.stdout).toMatch(/DOWN\s+supabase \w+/);
    expect(t.stdout).toContain("INACTIVE (paused");
    expect(await t.run("verify", "staging", "--outputs", paused)).toBe(1);
    expect(t.stderr + t.stdout).toContain(`supabase ${ref}: INACTIVE (paused`);
  });

  it("needs the token, and says so", async () => {
    const t = new OpsRun();
    const ref = await project("ACTIVE_HEALTHY");
    const file = t.outputs({ environment: "staging", supabaseProjectRef: ref });
    expect(await t.run("status", "staging", "--outputs", file)).toBe(2);
    expect(t.stderr).toContain("SUPABASE_ACCESS_TOKEN");
  });
});
