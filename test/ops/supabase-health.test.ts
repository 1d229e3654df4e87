import { readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
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
    expect(await t.run("verify", "staging", "--outputs", paused, "--report", "report.json")).toBe(1);
    expect(t.stderr + t.stdout).toContain(`supabase ${ref}: INACTIVE (paused`);
    // The report fails and names the project, outside `failing`: a rollback acts on that list and fixes no database.
    const report = JSON.parse(readFileSync(join(t.dir, "report.json"), "utf8"));
    expect(report).toMatchObject({ ok: false, failing: [], failingNotRollbackable: [`database:supabase ${ref}`] });
    expect(await t.run("rollback", "staging", "--outputs", paused, "--only-failing", "report.json")).toBe(1);
    expect(t.stderr).toBe(
      `rollback of staging refused, nothing was changed: report.json names no part a rollback fixes; database:supabase ${ref} failed too, and no rollback fixes a database: ` +
        "see `webstack status staging` (a paused Supabase project is restored from its dashboard)",
    );
  });

  it("status names an unreachable Management API, marks the project UNKNOWN, and exits non-zero", async () => {
    const t = new OpsRun();
    const ref = await project("ACTIVE_HEALTHY");
    // A port nothing listens on; the retries' waits pass on the fake clock.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    t.env = { SUPABASE_ACCESS_TOKEN: emu.token, SUPABASE_API_ENDPOINT: closed };
    const file = t.outputs({ environment: "staging", supabaseProjectRef: ref });
    expect(await t.run("status", "staging", "--outputs", file)).toBe(1);
    expect(t.stdout).toMatch(new RegExp(`^staging \\(staging\\): 1 unknown\\n[^]*UNKNOWN\\s+supabase ${ref}\\s`));
    expect(t.stderr).toBe(`status staging: the Supabase Management API at ${closed} could not be reached (ECONNREFUSED (gave up after 3 attempts)); check the network and https://status.supabase.com`);
    t.env = { SUPABASE_ACCESS_TOKEN: "sbp_revoked", SUPABASE_API_ENDPOINT: emu.url };
    expect(await t.run("status", "staging", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^status staging: the Supabase Management API refused SUPABASE_ACCESS_TOKEN \(401\)/);
  });

  it("needs the token, and says so", async () => {
    const t = new OpsRun();
    const ref = await project("ACTIVE_HEALTHY");
    const file = t.outputs({ environment: "staging", supabaseProjectRef: ref });
    expect(await t.run("status", "staging", "--outputs", file)).toBe(2);
    expect(t.stderr).toContain("SUPABASE_ACCESS_TOKEN");
  });
});
