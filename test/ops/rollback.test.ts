import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { vercelClient, VercelApiError } from "../../ops/vercel-api";
import { configureDay2, seedDeploys, type SeedDeploy } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { startVercelEmulator, type VercelEmulator } from "../providers/vercel/emulator";
import { FakeClock } from "./fake-clock";
import { createService, OpsRun } from "./harness";

// `webstack rollback` against the Render emulator (deploy lists, rollback) and the Vercel
// emulator (production deployments, instant rollback, the Hobby rule, team scoping).

let render: RenderEmulator;
let vercel: VercelEmulator;
let t: OpsRun;
const TEAM = "team_acme0123";

beforeAll(async () => {
  [render, vercel] = await Promise.all([startEmulator(), startVercelEmulator()]);
});

afterAll(async () => {
  await Promise.all([render?.stop(), vercel?.stop()]);
});

beforeEach(() => {
  render.reset({});
  configureDay2(render, {});
  vercel.reset({});
  t = new OpsRun();
  t.env = { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url, VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: vercel.url };
});

const rollbackPosts = () => render.requests.filter((r) => r.method === "POST" && r.path.endsWith("/rollback"));
const vercelWrites = () => vercel.requests.filter((r) => r.method === "POST");

/** prod: a main service with three good deploys, and the Vercel project it owns with two production deployments. */
async function prod(main: SeedDeploy[] = [{ status: "live", commit: "c3c3c3c3" }, { status: "deactivated", commit: "c2c2c2c2" }, { status: "deactivated", commit: "c1c1c1c1" }]) {
  const mainId = await createService(render.url, render.apiKey, "ott-prod-api");
  const deploys = seedDeploys(render, mainId, main);
  const web = vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [
    { sha: "f3f3f3f3" },
    { target: null, sha: "ffffffff" }, // a preview: never a rollback target
    { sha: "f2f2f2f2" },
    { sha: "f1f1f1f1" },
  ]);
  const file = t.outputs({
    environment: "production",
    appName: "ott",
    backendServiceId: mainId,
    backendUrl: "https://api.ott.example.com",
    frontendProjectId: "prj_web",
    frontendTeamId: TEAM,
    frontendOwnsProduction: true,
  });
  return { mainId, deploys, web, file };
}

describe("webstack rollback", () => {
  it("moves the backend to its previous live deploy and Vercel to the previous production deployment, and says what stays on", async () => {
    const { mainId, deploys, web, file } = await prod();
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(0);
    const [rb] = render.deploysOf(mainId);
    expect(rb).toMatchObject({ trigger: "rollback", commit: { id: "c2c2c2c2" }, status: "live" });
    expect(JSON.parse(rollbackPosts()[0]!.body)).toEqual({ deployId: deploys[1] });
    expect(vercel.productionOf("prj_web")).toBe(web[2]);
    expect(vercel.projects.get("prj_web").autoAssignCustomDomains).toBe(false);
    expect(vercelWrites().map((r) => [r.path, r.query.teamId])).toEqual([[`/v9/projects/prj_web/rollback/${web[2]}`, TEAM]]);
    const lines = t.stdout.split("\n");
    expect(lines[0]).toBe("Rolled back prod:");
    expect(lines[1]).toBe(`  ott-prod-api: ${deploys[0]} (c3c3c3c) → ${deploys[1]} (c2c2c2c); rollback deploy ${rb.id} live`);
    expect(lines[2]).toBe(`  frontend ott-web: ${web[0]} (f3f3f3f) → ${web[2]} (f2f2f2f); alias job succeeded`);
    expect(t.stdout).toContain("Render: an API rollback leaves auto-deploy on; the next push to main deploys again.");
    expect(t.stdout).toContain("Vercel: after a rollback, new production deployments no longer get the production domains until one is promoted");
  });

  it("rolls back every branch service too, leaving one with nowhere to go as it is", async () => {
    const mainId = await createService(render.url, render.apiKey, "ott-dev-api");
    const alice = await createService(render.url, render.apiKey, "ott-dev-api-alice");
    const bob = await createService(render.url, render.apiKey, "ott-dev-api-bob");
    const m = seedDeploys(render, mainId, [{ status: "live" }, { status: "build_failed" }, { status: "deactivated" }]);
    const a = seedDeploys(render, alice, [{ status: "live" }, { status: "deactivated" }]);
    seedDeploys(render, bob, [{ status: "live" }]);
    const file = t.outputs({ environment: "development", backendServiceId: mainId, branchServiceIds: { alice, bob }, frontendProjectId: "prj_web", frontendOwnsProduction: false });
    expect(await t.run("rollback", "dev", "--outputs", file, "--json")).toBe(0);
    const report = JSON.parse(t.stdout);
    // A failed deploy is never a target: main skips it for the last good one.
    expect(report.moved.map((x: any) => [x.name, x.from.id, x.to.id, x.result])).toEqual([
      ["ott-dev-api", m[0], m[2], "live"],
      ["ott-dev-api-alice", a[0], a[1], "live"],
    ]);
    expect(report.skipped).toEqual([
      expect.stringMatching(/^ott-dev-api-bob: no previous live deploy to roll back to/),
      expect.stringMatching(/^frontend: this stack's frontend is a branch of another stack's Vercel project/),
    ]);
    expect(vercel.requests).toEqual([]);
  });

  it("refuses clearly when the main service has no previous live deploy, and changes nothing", async () => {
    const { file } = await prod([{ status: "live", commit: "c1c1c1c1" }, { status: "build_failed" }]);
    expect(await t.run("rollback", "prod", "--outputs", file, "--json")).toBe(1);
    expect(t.stderr).toMatch(/^rollback of prod refused, nothing was changed:\n {2}ott-prod-api: no previous live deploy to roll back to \(only dep-\S+, commit c1c1c1c ever went live\)$/);
    expect(JSON.parse(t.stdout)).toMatchObject({ stack: "prod", moved: [], error: expect.stringContaining("refused") });
    expect(rollbackPosts()).toEqual([]);
    expect(vercelWrites()).toEqual([]);
  });

  it("leaves a service whose newest deploy failed alone (its last good deploy still serves); --to picks an older deploy", async () => {
    const { mainId, deploys, file } = await prod([{ status: "build_failed" }, { status: "live" }, { status: "deactivated" }, { status: "deactivated" }]);
    vercel.reset({});
    const staging = t.outputs({ environment: "staging", backendServiceId: mainId }, "staging.json");
    expect(await t.run("rollback", "staging", "--outputs", staging)).toBe(1);
    expect(t.stderr).toContain(`the newest deploy ${deploys[0]} ended 'build_failed', so the previous one (${deploys[1]}) is still live; nothing to roll back`);
    expect(await t.run("rollback", "staging", "--outputs", staging, "--to", "dep-nope")).toBe(1);
    expect(t.stderr).toContain("--to dep-nope is not among its last 4 deploys");
    expect(await t.run("rollback", "staging", "--outputs", staging, "--to", deploys[3]!, "--no-wait")).toBe(0);
    expect(JSON.parse(rollbackPosts()[0]!.body)).toEqual({ deployId: deploys[3] });
    expect(t.stdout.split("\n")[1]).toMatch(new RegExp(`ott-prod-api: ${deploys[1]} → ${deploys[3]}; rollback deploy dep-\\S+ started`));
    // Not waited for, the rollback deploy is still in progress: a second rollback would race it.
    expect(await t.run("rollback", "staging", "--outputs", staging)).toBe(1);
    expect(t.stderr).toMatch(/is still 'created' and would replace a rollback/);
    expect(rollbackPosts()).toHaveLength(1);
    void file;
  });

  it("reports what moved when Render refuses part-way (a build no longer kept), and Vercel is not touched", async () => {
    const { deploys, file } = await prod();
    configureDay2(render, { keptBuilds: 1 });
    expect(await t.run("rollback", "prod", "--outputs", file, "--to", deploys[2]!)).toBe(1);
    expect(t.stderr).toMatch(/failed part-way: Render API POST \/services\/\S+\/rollback failed \(400\): the build of deploy \S+ is no longer available\nNothing moved\./);
    expect(vercelWrites()).toEqual([]);
  });

  it("names VERCEL_API_TOKEN when a stack owning production lacks it, before anything moves", async () => {
    const { file } = await prod();
    delete t.env.VERCEL_API_TOKEN;
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^VERCEL_API_TOKEN is not set: rolling back the Vercel production deployment needs a Vercel access token/);
    expect(rollbackPosts()).toEqual([]);
  });
});

describe("the Vercel emulator and client", () => {
  const client = (teamId: string | undefined) => vercelClient({ VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: vercel.url }, new FakeClock(), teamId, "test");

  it("lists production deployments newest first, in the project's team only", async () => {
    const ids = vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [{ sha: "a" }, { target: null }, { state: "ERROR" }, { sha: "b" }]);
    expect((await client(TEAM).productionDeployments("prj_web")).map((d) => d.uid)).toEqual([ids[0], ids[3]]);
    await expect(client(undefined).productionDeployments("prj_web")).rejects.toThrow(/\(404\): Project not found/);
    await expect(client("team_other").project("prj_web")).rejects.toBeInstanceOf(VercelApiError);
  });

  it("Hobby: only the previous production deployment; Pro: any earlier one; promote turns auto-assignment back on", async () => {
    const ids = vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [{}, {}, {}]);
    await expect(client(TEAM).rollback("prj_web", ids[2]!)).rejects.toThrow(/\(402\): To roll back further than the previous production deployment, upgrade to pro/);
    vercel.options.plan = "pro";
    await client(TEAM).rollback("prj_web", ids[2]!);
    expect(vercel.productionOf("prj_web")).toBe(ids[2]);
    expect((await client(TEAM).project("prj_web")).lastAliasRequest).toMatchObject({ type: "rollback", toDeploymentId: ids[2], jobStatus: "in-progress" });
    expect((await client(TEAM).project("prj_web")).lastAliasRequest?.jobStatus).toBe("succeeded");
    await client(TEAM).promote("prj_web", ids[0]!);
    expect(vercel.projects.get("prj_web").autoAssignCustomDomains).toBe(true);
    expect(vercel.productionOf("prj_web")).toBe(ids[0]);
  });

  it("falls back to the docs' /v1 rollback path when the CLI's /v9 is not there", async () => {
    const ids = vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [{}, {}]);
    vercel.options.v9Rollback = false;
    await client(TEAM).rollback("prj_web", ids[1]!);
    expect(vercelWrites().map((r) => r.path)).toEqual([`/v9/projects/prj_web/rollback/${ids[1]}`, `/v1/projects/prj_web/rollback/${ids[1]}`]);
    expect(vercel.productionOf("prj_web")).toBe(ids[1]);
  });
});
