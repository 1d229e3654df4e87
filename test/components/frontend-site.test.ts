import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { FrontendSite, frontendSiteIssues, type FrontendSiteArgs } from "../../components/frontend-site";
import { byType, one, settle, synthComponent } from "../harness";

const PROJECT = "vercel:index/project:Project";
const VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const DOMAIN = "vercel:index/projectDomain:ProjectDomain";
const CUSTOM_ENV = "vercel:index/customEnvironment:CustomEnvironment";
const BYPASS = "vercel:index/projectProtectionBypass:ProjectProtectionBypass";

const owner = (): FrontendSiteArgs => ({
  name: "ott-web",
  scope: "acme",
  repo: "acme/ott",
  rootDirectory: "web",
  installCommand: "npm ci",
  domains: [{ domain: "ott.example.com" }],
  variables: [
    { key: "NEXT_PUBLIC_API_URL", value: "https://api.ott.example.com", target: "production", sensitive: false },
    { key: "STRIPE_SECRET_KEY", value: pulumi.secret("sk"), target: "production", sensitive: true, comment: "prod: secret" },
  ],
  protect: true,
});

async function build(args: FrontendSiteArgs) {
  let site!: FrontendSite;
  const m = await synthComponent(() => {
    site = new FrontendSite("web", args);
  });
  return { m, site };
}

describe("FrontendSite creating the project", () => {
  it("creates a protected project from the git repository", async () => {
    const { m } = await build(owner());
    const p = one(m, PROJECT);
    expect(p.inputs).toEqual({
      name: "ott-web",
      framework: "nextjs",
      rootDirectory: "web",
      installCommand: "npm ci",
      gitRepository: { type: "github", repo: "acme/ott", productionBranch: "main" },
      vercelAuthentication: { deploymentType: "standardProtectionNew" },
      autoAssignCustomDomains: true,
    });
    expect([p.protect, p.retainOnDelete]).toEqual([true, true]);
    expect(p.parent).toBe(one(m, "webstack:index:FrontendSite").urn);
  });

  it("sets Vercel Authentication explicitly, with an automation bypass whose secret stays a secret; 'none' needs no bypass", async () => {
    const { m, site } = await build(owner());
    const bypass = one(m, BYPASS);
    expect(bypass.inputs).toEqual({ projectId: "web-id", note: "webstack: CI and webstack status/verify" });
    expect((await settle(site.protectionBypassSecret!)).secret).toBe(true);
    const open = await build({ ...owner(), vercelAuthentication: "none" });
    expect(one(open.m, PROJECT).inputs.vercelAuthentication).toEqual({ deploymentType: "none" });
    expect(byType(open.m, BYPASS)).toEqual([]);
    expect(open.site.protectionBypassSecret).toBeUndefined();
    // A stack attached to another's project sets no protection of its own.
    expect(frontendSiteIssues({ name: "ott-web", scope: "acme", projectId: "prj_x", vercelAuthentication: "none" })).toEqual([
      "vercelAuthentication: a project setting; set it where the project is created, not with projectId",
    ]);
  });

  it("creates one variable per slot, sensitive as given, deleted before replacement, values secret", async () => {
    const { m } = await build(owner());
    const vars = byType(m, VAR);
    expect(vars.map((v) => [v.name, v.inputs.key, v.inputs.targets, v.inputs.gitBranch, v.inputs.sensitive])).toEqual([
      ["web-NEXT_PUBLIC_API_URL-production", "NEXT_PUBLIC_API_URL", ["production"], undefined, false],
      ["web-STRIPE_SECRET_KEY-production", "STRIPE_SECRET_KEY", ["production"], undefined, true],
    ]);
    for (const v of vars) {
      expect(v.inputs.value).toBe("[secret]");
      expect(v.inputs.projectId).toBe("web-id");
      expect(v.deleteBeforeReplace).toBe(true);
      expect(v.dependsOn).toEqual([one(m, PROJECT).urn]);
    }
    expect(vars[1]!.inputs.comment).toBe("prod: secret");
  });

  it("adds production domains and reports its URLs", async () => {
    const { m, site } = await build(owner());
    expect(byType(m, DOMAIN).map((d) => d.inputs)).toEqual([{ domain: "ott.example.com", projectId: "web-id" }]);
    expect((await settle(site.projectId)).value).toBe("web-id");
    expect((await settle(site.productionUrl)).value).toBe("https://ott.example.com");
    expect((await settle(site.url)).value).toBe("https://ott.example.com");
    expect((await settle(site.domains)).value).toEqual(["ott.example.com"]);
    expect((await settle(site.previewUrlPattern)).value).toBe("https://ott-web-*-acme.vercel.app");
  });
});

describe("FrontendSite attached to another stack's project", () => {
  const attached = (extra: Partial<FrontendSiteArgs> = {}): FrontendSiteArgs => ({
    name: "ott-web",
    scope: "acme",
    projectId: pulumi.output("prj_owner"),
    domains: [{ domain: "preview.ott.example.com", gitBranch: "staging" }],
    variables: [
      { key: "NEXT_PUBLIC_API_URL", value: "https://api.staging", target: "preview", gitBranch: "staging", sensitive: false },
      { key: "NEXT_PUBLIC_API_URL", value: "https://api.staging", target: "preview", sensitive: false },
    ],
    ...extra,
  });

  it("creates no project, binds its domain and variables to the branch", async () => {
    const { m, site } = await build(attached());
    expect(byType(m, PROJECT)).toEqual([]);
    // Sorted by URN: the branch-less preview variable first.
    expect(byType(m, VAR).map((v) => [v.name, v.inputs.projectId, v.inputs.targets, v.inputs.gitBranch])).toEqual([
      ["web-NEXT_PUBLIC_API_URL-preview", "prj_owner", ["preview"], undefined],
      ["web-NEXT_PUBLIC_API_URL-preview-staging", "prj_owner", ["preview"], "staging"],
    ]);
    expect(one(m, DOMAIN).inputs).toEqual({ domain: "preview.ott.example.com", gitBranch: "staging", projectId: "prj_owner" });
    expect((await settle(site.url)).value).toBe("https://preview.ott.example.com");
    expect((await settle(site.productionUrl)).value).toBe("https://ott-web.vercel.app");
  });

  it("puts the branch into a custom environment behind the flag", async () => {
    const { m } = await build(attached({ customEnvironment: { name: "staging", branch: "staging" } }));
    const ce = one(m, CUSTOM_ENV);
    expect(ce.inputs).toEqual({ name: "staging", projectId: "prj_owner", branchTracking: { type: "equals", pattern: "staging" } });
    const branchVar = one(m, VAR, "web-NEXT_PUBLIC_API_URL-preview-staging");
    const previewVar = one(m, VAR, "web-NEXT_PUBLIC_API_URL-preview");
    expect(branchVar!.inputs.customEnvironmentIds).toEqual(["web-staging-id"]);
    expect(branchVar!.inputs.targets).toBeUndefined();
    expect(previewVar!.inputs.targets).toEqual(["preview"]);
    expect(one(m, DOMAIN).inputs.customEnvironmentId).toBe("web-staging-id");
    expect(one(m, DOMAIN).inputs.gitBranch).toBeUndefined();
  });
});

describe("frontendSiteIssues", () => {
  it("names each bad arg before anything is registered", async () => {
    const bad: FrontendSiteArgs = {
      name: "ott-web",
      scope: "acme",
      projectId: "prj_x",
      framework: "vite",
      domains: [{ domain: "a.example.com" }, { domain: "a.example.com" }],
      variables: [{ key: "NEXT_PUBLIC_KEY", value: "s", target: "preview", sensitive: true }],
    };
    expect(frontendSiteIssues(bad)).toEqual([
      "framework: a project setting; set it where the project is created, not with projectId",
      "domains[1]: 'a.example.com' listed twice",
      "variables: NEXT_PUBLIC_KEY (preview): is sensitive (server-only), but frontend builds inline 'NEXT_PUBLIC_' variables into the browser bundle",
    ]);
    await expect(synthComponent(() => void new FrontendSite("web", bad))).rejects.toThrow(/FrontendSite 'web': invalid args/);
    expect(frontendSiteIssues({ name: "x", scope: "acme" })).toEqual([
      "repo: required to create the project (or pass projectId to attach to one)",
    ]);
    expect(
      frontendSiteIssues({
        ...owner(),
        variables: [{ key: "A", value: "1", target: "preview", gitBranch: "main", sensitive: false }],
      }),
    ).toEqual(["variables: A (preview@main): the production branch deploys to production, not preview"]);
    expect(
      frontendSiteIssues({
        ...owner(),
        variables: [
          { key: "A", value: "1", target: "preview", gitBranch: "feature/x", sensitive: false },
          { key: "A", value: "1", target: "preview", gitBranch: "feature-x", sensitive: false },
        ],
      }),
    ).toEqual(["variables: A (preview@feature-x) and (preview@feature/x) map to the same resource name; rename a branch"]);
  });
});
