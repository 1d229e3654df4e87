import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NetlifyEmulator } from "../providers/netlify/emulator";
import { OpsRun } from "./harness";

// `webstack rollback` and `status` of a Netlify frontend against the emulator: restore, the lock
// that keeps a later push from publishing over the rollback, promote, and both answers to the
// unconfirmed "does restore unlock?".

let emu: NetlifyEmulator;
let t: OpsRun;
/** The frontend's URL: a page that answers 200, so verify's verdict is about the deploys. */
let web: Server;
let webUrl: string;

beforeAll(async () => {
  emu = await new NetlifyEmulator().start();
  web = createServer((_, res) => res.end("ok"));
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await emu?.stop();
  await new Promise((r) => web?.close(r));
});
beforeEach(() => {
  emu.reset({ teams: { acme: "pro" } });
  t = new OpsRun();
  t.env = { NETLIFY_AUTH_TOKEN: emu.token, NETLIFY_API_URL: emu.url };
});

function prodSite() {
  const site = emu.seedSite("acme", "shop-web");
  const d1 = emu.push(site.id, { title: "first" });
  const d2 = emu.push(site.id, { title: "second" });
  emu.push(site.id, { context: "branch-deploy", branch: "staging" });
  const file = t.outputs({ environment: "production", appName: "shop", frontendHost: "netlify", frontendProjectId: site.id, frontendTeamId: "acme", frontendOwnsProduction: true, frontendUrl: "https://127.0.0.1:1" });
  return { site, d1, d2, file };
}

describe("webstack rollback of a Netlify frontend", () => {
  for (const restoreUnlocks of [false, true]) {
    it(`restores the previous production deploy and locks publishing, so a later push waits (restore ${restoreUnlocks ? "unlocks" : "keeps the lock"})`, async () => {
      emu.reset({ teams: { acme: "pro" }, quirks: { restoreUnlocks } });
      const { site, d1, d2, file } = prodSite();
      const code = await t.run("rollback", "prod", "--outputs", file);
      expect(code, t.stderr + t.stdout).toBe(0);
      expect(t.stdout).toContain(`frontend shop-web: ${d2.id} (${d2.commit_ref.slice(0, 7)}) → ${d1.id} (${d1.commit_ref.slice(0, 7)}); published, auto-publishing locked`);
      expect(t.stdout).toContain("webstack promote");
      const published = () => emu.sites.get(site.id)!.site.published_deploy;
      expect(published()).toMatchObject({ id: d1.id, locked: true });

      // A push after the rollback builds, but does not publish over it.
      const d3 = emu.push(site.id, { title: "after the rollback" });
      expect(published().id).toBe(d1.id);
      expect(d3.published_at).toBeNull();

      // status shows the lock and what waits behind it, and the branch deploys.
      await t.run("status", "prod", "--outputs", file);
      expect(t.stdout).toMatch(new RegExp(`up +frontend deploys .*published, locked ${d1.commit_ref.slice(0, 7)}`));
      // The deploy rolled back from and the push after it.
      expect(t.stdout).toContain("2 newer production deploy(s) unpublished until webstack promote");
      expect(t.stdout).toMatch(/branches: staging [0-9a-f]{24}/);

      // webstack promote publishes the newest deploy and turns auto-publishing back on.
      expect(await t.run("promote", "prod", "--outputs", file), t.stderr).toBe(0);
      expect(t.stdout).toBe(`Promoted prod: production ${d1.id} → ${d3.id}; succeeded; auto-publishing is unlocked again`);
      expect(published()).toMatchObject({ id: d3.id, locked: false });
      const d4 = emu.push(site.id, { title: "next" });
      expect(published().id).toBe(d4.id);
    });
  }

  it("refuses when there is no previous production deploy, changing nothing", async () => {
    const site = emu.seedSite("acme", "shop-web");
    emu.push(site.id);
    const file = t.outputs({ environment: "production", frontendHost: "netlify", frontendProjectId: site.id, frontendOwnsProduction: true });
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(1);
    expect(t.stderr).toContain("frontend shop-web: no previous production deploy to roll back to");
    expect(emu.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("a missing token names NETLIFY_AUTH_TOKEN before any call", async () => {
    const { file } = prodSite();
    t.env = {};
    expect(await t.run("rollback", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr).toContain("NETLIFY_AUTH_TOKEN is not set");
  });
});

describe("webstack verify reads the Netlify deploy that should be live", () => {
  const report = () => JSON.parse(readFileSync(join(t.dir, "report.json"), "utf8"));
  const verify = (stack: string, file: string) => t.run("verify", stack, "--outputs", file, "--timeout", "1m", "--report", "report.json");

  it("prod: a newer production deploy that failed fails the frontend, naming its state and Netlify's message", async () => {
    const site = emu.seedSite("acme", "shop-web");
    const good = emu.push(site.id);
    const file = t.outputs({ environment: "production", frontendHost: "netlify", frontendProjectId: site.id, frontendOwnsProduction: true, frontendUrl: webUrl });
    expect(await verify("prod", file), t.stderr).toBe(0);
    expect(t.stderr).toContain(`frontend shop-web: Netlify publishes ${good.id}`);

    const bad = emu.push(site.id, { title: "broken" });
    Object.assign(bad, { state: "error", error_message: "Build script returned non-zero exit code: 2" });
    emu.sites.get(site.id)!.site.published_deploy = good;
    expect(await verify("prod", file)).toBe(1);
    expect(report()).toMatchObject({ ok: false, failing: ["frontend"] });
    expect(report().results[0].failure).toBe(
      `frontend shop-web: Netlify deploy ${bad.id} (${bad.commit_ref}) is 'error': Build script returned non-zero exit code: 2; production still serves ${good.id} (${good.commit_ref}); ${webUrl} answers HTTP 200`,
    );
  });

  it("prod locked by a rollback, newer deploys waiting: production pinned, pointing to promote, nothing to roll back", async () => {
    const { file: f } = prodSite();
    const file = t.outputs({ ...JSON.parse(readFileSync(join(t.dir, f), "utf8")), frontendUrl: webUrl }, "web.json");
    expect(await t.run("rollback", "prod", "--outputs", file), t.stderr).toBe(0);
    expect(await verify("prod", file)).toBe(1);
    expect(report()).toMatchObject({ ok: false, failing: [], productionPinned: expect.stringMatching(/locked by a rollback; 1 newer production deploy\(s\) wait unpublished.*run `webstack promote prod`/) });
  });

  it("staging: the newest deploy of its branch must be ready; one still building is followed until the deadline", async () => {
    const site = emu.seedSite("acme", "shop-web");
    emu.push(site.id);
    const file = t.outputs({ environment: "staging", frontendHost: "netlify", frontendProjectId: site.id, frontendOwnsProduction: false, frontendBranch: "staging", frontendUrl: webUrl });
    expect(await verify("staging", file)).toBe(1);
    expect(report().results[0].failure).toMatch(/^frontend shop-web: Netlify has no deploy of branch 'staging'/);

    emu.push(site.id, { context: "branch-deploy", branch: "staging" });
    expect(await verify("staging", file), t.stderr).toBe(0);

    const building = emu.push(site.id, { context: "branch-deploy", branch: "staging" });
    building.state = "building";
    expect(await verify("staging", file)).toBe(1);
    expect(report().results[0].failure).toMatch(new RegExp(`^frontend shop-web: Netlify deploy ${building.id} \\(\\w+\\) is still 'building' after 1m00s \\(branch 'staging'\\)`));
    expect(t.clock.slept.length).toBeGreaterThan(1);
  });
});

describe("a Netlify API that cannot be read is named, within --timeout, and never 'all up'", () => {
  /** A port nothing listens on: each call is refused, and the client's retries wait on the fake clock. */
  async function closedUrl(): Promise<string> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    return `http://127.0.0.1:${port}`;
  }

  it("unreachable: status and verify end at --timeout 2s naming the Netlify API; rollback refuses before anything moves", async () => {
    const { file: f } = prodSite();
    const file = t.outputs({ ...JSON.parse(readFileSync(join(t.dir, f), "utf8")), frontendUrl: webUrl }, "web.json");
    const url = await closedUrl();
    t.env.NETLIFY_API_URL = url;
    for (const verb of ["status", "verify"]) {
      const start = t.clock.t;
      expect(await t.run(verb, "prod", "--outputs", file, "--timeout", "2s")).toBe(1);
      expect(t.stderr + t.stdout).toContain(`no answer from the Netlify API (${url}) within --timeout 2s (last error: ECONNREFUSED); check https://www.netlifystatus.com`);
      expect(t.stdout).not.toMatch(/all up/);
      expect(t.clock.t - start).toBeLessThanOrEqual(2_000);
    }
    expect(await t.run("rollback", "prod", "--outputs", file, "--timeout", "2s")).toBe(1);
    expect(t.stderr).toContain("no answer from the Netlify API");
  });

  it("a refused token is exit 2 naming NETLIFY_AUTH_TOKEN", async () => {
    const { file: f } = prodSite();
    const file = t.outputs({ ...JSON.parse(readFileSync(join(t.dir, f), "utf8")), frontendUrl: webUrl }, "web.json");
    t.env.NETLIFY_AUTH_TOKEN = "revoked";
    expect(await t.run("status", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr + t.stdout).toMatch(/the Netlify API refused NETLIFY_AUTH_TOKEN \(401\)/);
    expect(await t.run("verify", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr + t.stdout).toMatch(/the Netlify API refused NETLIFY_AUTH_TOKEN \(401\)/);
  });
});
