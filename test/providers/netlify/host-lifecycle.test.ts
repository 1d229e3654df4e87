/**
 * The Netlify providers in the SDK's real dynamic-provider host, driven over gRPC as `pulumi
 * preview`, `up`, `refresh` and `destroy` drive them (test/engine), against the emulator. One host
 * for the file.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../engine/engine";
import { netlifyEngine, startNetlifyHost } from "../../engine/netlify-host";
import { type ProviderHost, UNKNOWN } from "../../engine/provider-host";
import { NetlifyEmulator } from "./emulator";

let emu: NetlifyEmulator;
let host: ProviderHost;
let engine: Engine<string>;

const SITE = { accountSlug: "acme", name: "shop-web", productionBranch: "main", base: "web", command: "npm run build", publishDir: "dist" };

beforeAll(async () => {
  emu = await new NetlifyEmulator({ teams: { acme: "free", bigco: "pro" } }).start();
  host = await startNetlifyHost(emu);
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});
beforeEach(() => {
  emu.reset({ teams: { acme: "free", bigco: "pro" } });
  engine = netlifyEngine(host);
});

const error = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message);

describe("Site", () => {
  it("creates the site in the team with its build settings, renames, refreshes and deletes it", async () => {
    const { state } = await engine.up("site", "web", SITE);
    const site = emu.sites.get(state!.id)!.site;
    expect(site).toMatchObject({ name: "shop-web", account_slug: "acme" });
    expect(site.build_settings).toMatchObject({ repo_branch: "main", base: "web", cmd: "npm run build", dir: "dist", stop_builds: true });
    expect(state!.outputs).toMatchObject({ ...SITE, sslUrl: "https://shop-web.netlify.app" });

    expect((await engine.up("site", "web", SITE, { preview: true })).op).toBe("same");
    const renamed = await engine.up("site", "web", { ...SITE, name: "shop-front", publishDir: "build" });
    expect(renamed.op).toBe("update");
    expect(emu.listSites().map((s) => [s.name, s.build_settings.dir])).toEqual([["shop-front", "build"]]);
    // A change in the dashboard shows on refresh.
    emu.sites.get(state!.id)!.site.build_settings.cmd = "make";
    expect((await engine.refresh(state!.urn))!.outputs.command).toBe("make");
    await engine.delete(state!.urn);
    expect(emu.sites.size).toBe(0);
    // Deleted outside Pulumi: a refresh reads it as gone, a destroy is done.
    const again = await engine.up("site", "web", SITE);
    emu.sites.clear();
    expect(await engine.refresh(again.state!.urn)).toBeUndefined();
  });

  it("refuses a name taken outside the team in one line, and adopts its own site after a lost create", async () => {
    emu.reset({ teams: { acme: "free" }, foreignSiteNames: ["shop-web"] });
    expect(await error(engine.up("site", "web", SITE))).toBe(
      "Netlify site 'shop-web': the name 'shop-web' is taken by a site outside team 'acme' (site names are unique across all of Netlify; Netlify: subdomain must be unique); choose another webstack:frontend.name",
    );
    expect(emu.sites.size).toBe(0);

    // Lists lag one call behind a create: the lookup after the lost answer misses, so the retry gets 422.
    emu.reset({ teams: { acme: "free" }, listLag: 1 });
    emu.inject({ kind: "lost", match: (m, p) => m === "POST" && p === "/acme/sites" });
    const { state } = await engine.up("site", "web", SITE);
    expect(emu.listSites().map((s) => s.id)).toEqual([state!.id]);
    // The retry got 422 "must be unique" for its own site, then found it in the team (exact name).
    expect(emu.requests.filter((r) => r.method === "POST").length).toBe(2);
  });

  it("waits out a 429 until the epoch in X-RateLimit-Reset", async () => {
    emu.inject({ kind: "429", resetInSeconds: 1, match: (m: string) => m === "POST" });
    await engine.up("site", "web", SITE);
    expect(emu.sites.size).toBe(1);
    const [limited, retried] = emu.requests.filter((r) => r.method === "POST");
    // The retry came no earlier than the reset the 429 named (whole seconds since the epoch).
    expect(retried!.at).toBeGreaterThanOrEqual((Math.floor(limited!.at / 1000) + 1) * 1000);
  });
});

describe("EnvVar", () => {
  it("writes one value per context, lets two stacks share a key, and removes the key with its last value", async () => {
    const site = (await engine.up("site", "web", SITE)).state!.id;
    const prod = { accountSlug: "acme", siteId: site, key: "VITE_API_URL", isSecret: false, values: [{ context: "production", value: "https://api.shop.example.com" }] };
    const staging = { ...prod, values: [{ context: "branch", contextParameter: "staging", value: "https://api-staging.onrender.com" }, { context: "deploy-preview", value: "https://api-staging.onrender.com" }] };
    await engine.up("envVar", "prod-api", prod);
    await engine.up("envVar", "staging-api", staging);
    const remote = () => emu.envOf(site).find((e) => e.key === "VITE_API_URL")!;
    expect(remote().values.map((v) => [v.context, v.context_parameter, v.value])).toEqual([
      ["production", undefined, "https://api.shop.example.com"],
      ["branch", "staging", "https://api-staging.onrender.com"],
      ["deploy-preview", undefined, "https://api-staging.onrender.com"],
    ]);
    // Free plan: no scopes were sent (Netlify applies all four).
    expect(remote().scopes).toEqual(["builds", "functions", "runtime", "post-processing"]);

    const changed = { ...staging, values: [{ context: "branch", contextParameter: "staging", value: "https://api.staging.example.com" }] };
    expect((await engine.up("envVar", "staging-api", changed)).op).toBe("update");
    expect(remote().values.map((v) => `${v.context}=${v.value}`)).toEqual(["production=https://api.shop.example.com", "branch=https://api.staging.example.com"]);

    // Drift on a public value shows on refresh.
    remote().values[0]!.value = "https://evil.example.com";
    expect((await engine.refresh(engine.get("envVar", "prod-api").urn))!.outputs.values[0].value).toBe("https://evil.example.com");

    await engine.delete(engine.get("envVar", "staging-api").urn);
    expect(remote().values.map((v) => v.context)).toEqual(["production"]);
    await engine.delete(engine.get("envVar", "prod-api").urn);
    expect(emu.envOf(site)).toEqual([]);
  });

  it("sends a secret with exactly builds, functions, runtime (the free plan's one allowed set) and keeps its value in state", async () => {
    const site = (await engine.up("site", "web", SITE)).state!.id;
    const secret = { accountSlug: "acme", siteId: site, key: "SENTRY_AUTH_TOKEN", isSecret: true, scopes: ["builds", "functions", "runtime"], values: [{ context: "production", value: "s3cr3t" }] };
    await engine.up("envVar", "token", secret);
    expect(emu.envOf(site)[0]).toMatchObject({ is_secret: true, scopes: ["builds", "functions", "runtime"] });
    for (const secretMask of ["stars", "empty", "omitted"] as const) {
      emu.quirks.secretMask = secretMask;
      const read = await engine.refresh(engine.get("envVar", "token").urn);
      expect(read!.outputs.values).toEqual(secret.values);
      expect((await engine.up("envVar", "token", secret, { preview: true })).op).toBe("same");
    }
    // Explicit scopes on a free plan for a public variable: Netlify's message, in one line.
    const scoped = { accountSlug: "acme", siteId: site, key: "VITE_X", isSecret: false, scopes: ["builds"], values: [{ context: "production", value: "1" }] };
    expect(await error(engine.up("envVar", "x", scoped))).toBe(
      "Netlify variable 'VITE_X': Netlify API POST /accounts/acme/env failed (403): Upgrade your Netlify account to set specific scopes",
    );
    // A plan without secrets (unconfirmed which): Netlify's message, in one line.
    emu.quirks.secretsOnFree = "forbidden";
    expect(await error(engine.up("envVar", "t2", { ...secret, key: "OTHER_TOKEN" }))).toMatch(/^Netlify variable 'OTHER_TOKEN': Netlify API POST \/accounts\/acme\/env failed \(403\): Upgrade/);
  });

  it("refuses, before any call, a secret in the dev context, 'all', and a branch without its name", async () => {
    const bad = { accountSlug: "acme", siteId: "s", key: "K", isSecret: true, values: [{ context: "dev", value: "x" }, { context: "all", value: "y" }, { context: "branch", value: "z" }] };
    const err = await error(engine.up("envVar", "bad", bad));
    expect(err).toContain("values[0]: a secret cannot go to the dev context");
    expect(err).toContain("values[1]: context must be one of");
    expect(err).toContain("values[2]: contextParameter is the branch");
    expect(emu.requests).toEqual([]);
  });
});

describe("Domains and BranchDomain", () => {
  it("sets the custom domain and aliases, provisions TLS, reports DNS not ready as pending, and clears them on delete", async () => {
    const site = (await engine.up("site", "web", SITE)).state!.id;
    const d = await engine.up("domains", "domains", { siteId: site, customDomain: "shop.example.com", aliases: ["shop.example.org"] });
    expect(emu.sites.get(site)!.site).toMatchObject({ custom_domain: "shop.example.com", domain_aliases: ["shop.example.org"], ssl: true });
    expect(d.state!.outputs.certificateState).toBe("issued");
    // A new alias renews the certificate for it.
    await engine.up("domains", "domains", { siteId: site, customDomain: "shop.example.com", aliases: ["shop.example.org", "shop.example.net"] });
    expect(emu.sites.get(site)!.ssl.domains).toContain("shop.example.net");
    await engine.delete(d.state!.urn);
    expect(emu.sites.get(site)!.site).toMatchObject({ custom_domain: "", domain_aliases: [] });

    emu.reset({ teams: { acme: "free" }, badDns: ["new.example.com"], quirks: { clearDomainWith: "null" } });
    const site2 = (await engine.up("site", "web2", SITE)).state!.id;
    const pending = await engine.up("domains", "d2", { siteId: site2, customDomain: "new.example.com", aliases: [] });
    expect(pending.state!.outputs.certificateState).toBe("pending: bad dns for custom domain");
    // Not issued yet: the next up tries again.
    expect((await engine.up("domains", "d2", { siteId: site2, customDomain: "new.example.com", aliases: [] }, { preview: true })).op).toBe("update");
    // Where only null clears a field, delete still clears it.
    await engine.delete(pending.state!.urn);
    expect(emu.sites.get(site2)!.site.custom_domain).toBe("");
  });

  it("a domain another team holds is one line with Netlify's message", async () => {
    emu.reset({ teams: { acme: "free" }, foreignDomains: ["taken.example.com"] });
    const site = (await engine.up("site", "web", SITE)).state!.id;
    expect(await error(engine.up("domains", "d", { siteId: site, customDomain: "taken.example.com", aliases: [] }))).toBe(
      `Netlify domains 'taken.example.com': Netlify API PATCH /sites/${site} failed (422): custom_domain must be unique`,
    );
  });

  it("sets the branch-deploy domain on Pro, refuses another parent, and clears only its own", async () => {
    const site = (await engine.up("site", "web", { ...SITE, accountSlug: "bigco" })).state!.id;
    const b = await engine.up("branchDomain", "b", { siteId: site, parent: "shop.example.com" });
    expect(emu.sites.get(site)!.site.branch_deploy_custom_domain).toBe("shop.example.com");
    expect(await error(engine.up("branchDomain", "other", { siteId: site, parent: "example.org" }))).toBe(
      "Netlify branch domain 'example.org': the site's branch-deploy domain is already 'shop.example.com' (a site has one); use branch domains under 'shop.example.com'",
    );
    await engine.delete(b.state!.urn);
    expect(emu.sites.get(site)!.site.branch_deploy_custom_domain).toBe("");
    // On a free team: Netlify's refusal, in one line.
    const free = (await engine.up("site", "free", { ...SITE, name: "free-web" })).state!.id;
    expect(await error(engine.up("branchDomain", "fb", { siteId: free, parent: "shop.example.com" }))).toMatch(/^Netlify branch domain 'shop.example.com': Netlify API PATCH \/sites\/\S+ failed \(403\): Automatic deploy subdomains require a Pro plan/);
  });
});

describe("preview: Check and Diff with inputs not known yet", () => {
  it("every resource type checks cleanly with unknown inputs and previews as a create, with no Netlify call", async () => {
    expect((await engine.up("site", "web", { ...SITE, accountSlug: UNKNOWN }, { preview: true })).op).toBe("create");
    expect((await engine.up("envVar", "v", { accountSlug: "acme", siteId: UNKNOWN, key: "VITE_API_URL", isSecret: false, values: UNKNOWN }, { preview: true })).op).toBe("create");
    expect((await engine.up("envVar", "w", { accountSlug: "acme", siteId: UNKNOWN, key: "VITE_API_URL", isSecret: false, values: [{ context: "production", value: UNKNOWN }] }, { preview: true })).op).toBe("create");
    expect((await engine.up("domains", "d", { siteId: UNKNOWN, customDomain: "shop.example.com", aliases: [] }, { preview: true })).op).toBe("create");
    expect((await engine.up("branchDomain", "b", { siteId: UNKNOWN, parent: "shop.example.com" }, { preview: true })).op).toBe("create");
    expect(emu.requests).toEqual([]);
  });

  it("an existing variable whose value is not known yet previews as an update; a new site id as a replacement", async () => {
    const site = (await engine.up("site", "web", SITE)).state!.id;
    const v = { accountSlug: "acme", siteId: site, key: "VITE_API_URL", isSecret: false, values: [{ context: "production", value: "https://a" }] };
    await engine.up("envVar", "v", v);
    expect((await engine.up("envVar", "v", { ...v, values: [{ context: "production", value: UNKNOWN }] }, { preview: true })).op).toBe("update");
    expect((await engine.up("envVar", "v", { ...v, siteId: UNKNOWN }, { preview: true })).op).toBe("replace");
  });
});
