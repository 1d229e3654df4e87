import { writeFileSync } from "node:fs";
import { join } from "node:path";
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
  it("moves Vercel first, to the previous production deployment, then the backend to its previous live deploy, and says what stays on", async () => {
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
    expect(lines[1]).toBe(`  frontend ott-web: ${web[0]} (f3f3f3f) → ${web[2]} (f2f2f2f); alias job succeeded`);
    expect(lines[2]).toBe(`  ott-prod-api: ${deploys[0]} (c3c3c3c) → ${deploys[1]} (c2c2c2c); rollback deploy ${rb.id} live`);
    expect(t.stdout).toContain("Render: an API rollback leaves auto-deploy on; the next push to main deploys again.");
    expect(t.stdout).toContain("`webstack promote prod` serves the newest build again");
    // Vercel's alias job is done before Render is asked.
    const done = t.err.indexOf(`frontend ott-web: alias job to ${web[2]} succeeded`);
    expect(done).toBeGreaterThanOrEqual(0);
    expect(t.err.findIndex((l) => l.startsWith("ott-prod-api: rollback deploy"))).toBeGreaterThan(done);
  });

  it("run twice: the second rollback never re-deploys the release the first one rolled away from", async () => {
    const { mainId, deploys, web, file } = await prod();
    vercel.options.plan = "pro";
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(0);
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(1);
    expect(t.stderr).toMatch(/^rollback of prod: nothing to roll back:\n/);
    expect(t.stderr).toContain(`frontend ott-web: already rolled back (production serves ${web[2]} (f2f2f2f), rolled back from ${web[0]} (f3f3f3f)); nothing moved.`);
    expect(t.stderr).toMatch(new RegExp(`ott-prod-api: already rolled back \\(dep-\\S+ \\(c2c2c2c\\) is a rollback from ${deploys[0]} \\(c3c3c3c\\)\\); nothing moved\\. To go further back, pass --to ${deploys[2]} \\(c1c1c1c\\)`));
    expect(rollbackPosts()).toHaveLength(1);
    expect(vercelWrites()).toHaveLength(1);
    expect(render.deploysOf(mainId)[0].commit.id).toBe("c2c2c2c2");
  });

  it("never targets the commit it rolls away from: a redeploy of the same commit is skipped", async () => {
    const { mainId, deploys, file } = await prod([
      { status: "live", commit: "c2c2c2c2" },
      { status: "deactivated", commit: "c2c2c2c2" }, // the same commit, deployed again
      { status: "deactivated", commit: "c1c1c1c1" },
    ]);
    vercel.reset({});
    const staging = t.outputs({ environment: "staging", backendServiceId: mainId }, "staging.json");
    expect(await t.run("rollback", "staging", "--outputs", staging, "--no-wait")).toBe(0);
    expect(JSON.parse(rollbackPosts()[0]!.body)).toEqual({ deployId: deploys[2] });
    void file;
    // Only redeploys of one commit: refused, pointing to --to.
    render.reset({});
    const other = await createService(render.url, render.apiKey, "ott-staging-api");
    seedDeploys(render, other, [{ status: "live", commit: "c2c2c2c2" }, { status: "deactivated", commit: "c2c2c2c2" }]);
    const again = t.outputs({ environment: "staging", backendServiceId: other }, "again.json");
    expect(await t.run("rollback", "staging", "--outputs", again)).toBe(1);
    expect(t.stderr).toMatch(/ott-staging-api: no previous live deploy with another commit to roll back to \(the earlier live deploys run the same commit c2c2c2c, or one already rolled away from\); pick one with --to <deployId>$/);
  });

  it("checks Vercel's Hobby rule before anything moves, and a refusal from Vercel itself leaves Render untouched", async () => {
    const mainId = await createService(render.url, render.apiKey, "ott-prod-api");
    seedDeploys(render, mainId, [{ status: "live", commit: "c2c2c2c2" }, { status: "deactivated", commit: "c1c1c1c1" }]);
    // The previous production deployment runs the same commit: the last other one is two back.
    const web = vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [{ sha: "f2f2f2f2" }, { sha: "f2f2f2f2" }, { sha: "f1f1f1f1" }]);
    const base = { environment: "production" as const, backendServiceId: mainId, frontendProjectId: "prj_web", frontendTeamId: TEAM, frontendOwnsProduction: true };
    const hobby = t.outputs({ ...base, frontendPlan: "hobby" }, "hobby.json");
    expect(await t.run("rollback", "prod", "--outputs", hobby)).toBe(1);
    expect(t.stderr).toBe(
      `rollback of prod refused, nothing was changed:\n  frontend ott-web: Vercel Hobby rolls back only to the previous production deployment ${web[1]} (f2f2f2f), which runs the same commit as ${web[0]} (f2f2f2f); ` +
        `the last other commit is ${web[2]} (f1f1f1f). Roll back to it on a Pro plan (webstack:frontend.plan: pro), or redeploy that commit`,
    );
    // Outputs that say Pro on an account that is Hobby: Vercel answers 402, and Render was not asked yet.
    const pro = t.outputs({ ...base, frontendPlan: "pro" }, "pro.json");
    expect(await t.run("rollback", "prod", "--outputs", pro)).toBe(1);
    expect(t.stderr).toBe(
      `rollback of prod failed part-way: Vercel API POST /v9/projects/prj_web/rollback/${web[2]} failed (402): To roll back further than the previous production deployment, upgrade to pro\nNothing moved.`,
    );
    expect(rollbackPosts()).toEqual([]);
    expect(vercel.productionOf("prj_web")).toBe(web[0]);
  });

  it("when Render refuses after Vercel moved, Vercel is moved back (promoted), and the output says so", async () => {
    const { mainId, deploys, web, file } = await prod();
    configureDay2(render, { keptBuilds: 1 });
    expect(await t.run("rollback", "prod", "--outputs", file, "--to", deploys[2]!, "--json")).toBe(1);
    expect(t.err.at(-1)).toBe(
      `rollback of prod failed part-way: Render API POST /services/${mainId}/rollback failed (400): the build of deploy ${deploys[2]} is no longer available\n` +
        `Moved back:\n  frontend ott-web: ${web[0]} promoted back to production\nNothing is left moved.`,
    );
    expect(JSON.parse(t.stdout)).toMatchObject({ moved: [] });
    expect(vercel.productionOf("prj_web")).toBe(web[0]);
    expect(vercel.projects.get("prj_web").autoAssignCustomDomains).toBe(true);
    expect(vercelWrites().map((r) => r.path)).toEqual([`/v9/projects/prj_web/rollback/${web[2]}`, `/v10/projects/prj_web/promote/${web[0]}`]);
  });

  it("when a later service fails and an earlier one cannot be moved back, it says exactly what is still moved", async () => {
    const mainId = await createService(render.url, render.apiKey, "ott-dev-api");
    const alice = await createService(render.url, render.apiKey, "ott-dev-api-alice");
    const m = seedDeploys(render, mainId, [{ status: "live", commit: "c2c2c2c2" }, { status: "deactivated", commit: "c1c1c1c1" }]);
    // alice's last other commit is two builds back: Render no longer keeps that build.
    seedDeploys(render, alice, [{ status: "live", commit: "a2a2a2a2" }, { status: "deactivated", commit: "a2a2a2a2" }, { status: "deactivated", commit: "a1a1a1a1" }]);
    configureDay2(render, { keptBuilds: 1 });
    const file = t.outputs({ environment: "development", backendServiceId: mainId, branchServiceIds: { alice } });
    expect(await t.run("rollback", "dev", "--outputs", file, "--json")).toBe(1);
    const [rb] = render.deploysOf(mainId);
    expect(t.err.at(-1)).toMatch(
      new RegExp(
        `^rollback of dev failed part-way: Render API POST /services/${alice}/rollback failed \\(400\\): the build of deploy \\S+ is no longer available\n` +
          `Still moved \\(check these by hand\\):\n  ott-dev-api: ${m[0]} \\(c2c2c2c\\) → ${m[1]} \\(c1c1c1c\\); rollback deploy ${rb.id} started$`,
      ),
    );
    // It tried: a rollback deploy not live yet is canceled (this emulator has no cancel route, so that failed and is said).
    expect(t.err.some((l) => l.startsWith("ott-dev-api: moving back failed: Render API POST /services/") && l.includes(`/deploys/${rb.id}/cancel`))).toBe(true);
    expect(JSON.parse(t.stdout).moved.map((x: any) => x.name)).toEqual(["ott-dev-api"]);
  });

  it("takes Vercel's current production from the project's target, ignores a stale alias request, and waits for the request it made", async () => {
    const { deploys, web, file } = await prod();
    void deploys;
    // Weeks ago a rollback went to f1; since then f2 and f3 went live. Vercel still shows that old request.
    vercel.projects.get("prj_web").lastAliasRequest = { type: "rollback", fromDeploymentId: web[2], toDeploymentId: web[3], jobStatus: "succeeded", requestedAt: Date.now() - 90 * 60_000 };
    // And it lists the new request only two reads later.
    vercel.options.aliasLag = 2;
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ failing: ["frontend"] }))).toBe(0);
    expect(vercelWrites().map((r) => r.path)).toEqual([`/v9/projects/prj_web/rollback/${web[2]}`]);
    expect(t.err.filter((l) => l.startsWith("frontend ott-web: alias job"))).toEqual([
      `frontend ott-web: alias job to ${web[2]} pending (Vercel does not list the request yet)`,
      `frontend ott-web: alias job to ${web[2]} in-progress`,
      `frontend ott-web: alias job to ${web[2]} succeeded`,
    ]);
    // Same with the production target in the project (the answer Vercel gives today).
    vercel.reset({ projectTargets: true });
    render.reset({});
    const again = await prod();
    vercel.projects.get("prj_web").lastAliasRequest = { type: "rollback", fromDeploymentId: again.web[2], toDeploymentId: again.web[3], jobStatus: "succeeded", requestedAt: Date.now() - 90 * 60_000 };
    expect(await t.run("rollback", "prod", "--outputs", again.file, "--only-failing", report({ failing: ["frontend"] }), "--no-wait")).toBe(0);
    expect(vercel.productionOf("prj_web")).toBe(again.web[2]);
  });

  it("--only-failing rolls back only what verify found failing", async () => {
    const { mainId, deploys, web, file } = await prod();
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ failing: ["backend:ott-prod-api"] }))).toBe(0);
    expect(vercelWrites()).toEqual([]);
    expect(vercel.productionOf("prj_web")).toBe(web[0]);
    expect(JSON.parse(rollbackPosts()[0]!.body)).toEqual({ deployId: deploys[1] });
    expect(render.deploysOf(mainId)[0]).toMatchObject({ trigger: "rollback", status: "live" });

    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ ok: true, failing: [] }))).toBe(0);
    expect(t.stdout).toMatch(/^verify found nothing failing in prod \(report\.json\): nothing rolled back$/);
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ ok: false, failing: [], error: "verify prod: no answer from the Render API" }))).toBe(1);
    expect(t.stderr).toMatch(/^rollback of prod refused, nothing was changed: report\.json names no failing part \(verify stopped: verify prod: no answer from the Render API\); run `webstack rollback prod`/);
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ stack: "staging", failing: ["frontend"] }))).toBe(2);
    expect(t.stderr).toBe("--only-failing report.json: the report is about stack 'staging', not 'prod'");
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ failing: ["backend:ott-nope"] }))).toBe(1);
    expect(t.stderr).toContain("backend:ott-nope: not a backend service of prod");
    expect(rollbackPosts()).toHaveLength(1);
  });

  it("refuses clearly when the main service has no previous live deploy, and changes nothing", async () => {
    const { file } = await prod([{ status: "live", commit: "c1c1c1c1" }, { status: "build_failed" }]);
    expect(await t.run("rollback", "prod", "--outputs", file, "--json")).toBe(1);
    expect(t.stderr).toMatch(/^rollback of prod refused, nothing was changed:\n {2}ott-prod-api: no previous live deploy with another commit to roll back to \(only dep-\S+ \(c1c1c1c\) ever went live\); pick one with --to <deployId>$/);
    expect(JSON.parse(t.stdout)).toMatchObject({ stack: "prod", moved: [], error: expect.stringContaining("refused") });
    expect(rollbackPosts()).toEqual([]);
    expect(vercelWrites()).toEqual([]);
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
    const r = JSON.parse(t.stdout);
    // A failed deploy is never a target: main skips it for the last good one.
    expect(r.moved.map((x: any) => [x.name, x.from.id, x.to.id, x.result])).toEqual([
      ["ott-dev-api", m[0], m[2], "live"],
      ["ott-dev-api-alice", a[0], a[1], "live"],
    ]);
    expect(r.skipped).toEqual([
      expect.stringMatching(/^frontend: this stack's frontend is a branch of another stack's Vercel project/),
      expect.stringMatching(/^ott-dev-api-bob: no previous live deploy with another commit to roll back to/),
    ]);
    expect(vercel.requests).toEqual([]);
  });

  it("leaves a service whose newest deploy failed alone (its last good deploy still serves); --to picks an older deploy", async () => {
    const { mainId, deploys } = await prod([{ status: "build_failed" }, { status: "live" }, { status: "deactivated" }, { status: "deactivated" }]);
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
  });

  it("names VERCEL_API_TOKEN when a stack owning production lacks it, and an unreachable Render API, before anything moves", async () => {
    const { file } = await prod();
    delete t.env.VERCEL_API_TOKEN;
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^VERCEL_API_TOKEN is not set: rolling back the Vercel production deployment needs a Vercel access token/);
    t.env.VERCEL_API_TOKEN = vercel.token;
    t.env.RENDER_API_URL = "http://127.0.0.1:9";
    const start = t.clock.t;
    expect(await t.run("rollback", "prod", "--outputs", file, "--timeout", "30s")).toBe(1);
    expect(t.stderr).toMatch(/^rollback of prod: (the Render API at http:\/\/127\.0\.0\.1:9 could not be reached|no answer from the Render API \(http:\/\/127\.0\.0\.1:9\) within --timeout 30s)/);
    expect(t.clock.t - start).toBeLessThanOrEqual(30_000);
    expect(rollbackPosts()).toEqual([]);
    expect(vercelWrites()).toEqual([]);
  });
});

describe("webstack promote", () => {
  it("after a rollback: serves the newest production build again and turns auto-assignment back on; run twice, it does nothing", async () => {
    const { web, file } = await prod();
    vercel.options.plan = "pro";
    expect(await t.run("rollback", "prod", "--outputs", file, "--only-failing", report({ failing: ["frontend"] }))).toBe(0);
    const f4 = vercel.build("prj_web", "f4f4f4f4"); // a fix from main: staged, not live
    expect(vercel.productionOf("prj_web")).toBe(web[2]);
    expect(await t.run("promote", "prod", "--outputs", file)).toBe(0);
    expect(t.stdout).toBe(`Promoted prod: production domains ${web[2]} → ${f4}; alias job succeeded; auto-assignment of production domains is on again`);
    expect(vercel.productionOf("prj_web")).toBe(f4);
    expect(vercel.projects.get("prj_web").autoAssignCustomDomains).toBe(true);
    expect(await t.run("promote", "prod", "--outputs", file)).toBe(0);
    expect(t.stdout).toMatch(/already serves the newest production build .*: nothing to do$/);
    const staging = t.outputs({ environment: "staging", frontendProjectId: "prj_web", frontendOwnsProduction: false }, "staging.json");
    expect(await t.run("promote", "staging", "--outputs", staging)).toBe(2);
    expect(t.stderr).toMatch(/^promote staging: this stack does not own its frontend's production/);
  });
});

/** A `verify --report` file for prod. */
function report(r: { stack?: string; ok?: boolean; failing: string[]; error?: string }): string {
  writeFileSync(join(t.dir, "report.json"), JSON.stringify({ stack: "prod", ok: false, ...r }));
  return "report.json";
}

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
