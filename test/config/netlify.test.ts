import { describe, expect, it } from "vitest";
import { corsAllowedOrigins, frontendSlots } from "../../components/env-wiring";
import { netlifyContexts, netlifyVariables } from "../../components/netlify-env";
import { netlifyBranchUrl, netlifyUrls } from "../../components/netlify-urls";
import { apiUrlVariable } from "../../config/frontend";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { webPlan } from "../../config/web";
import { readStackFile } from "../../synth/stack-file";
import { byType, one, revealed, ROOT, synthProgram } from "../harness";

const EXAMPLE = `${ROOT}/stacks/examples/render-netlify.yaml`;
const example = () => rawSections(readStackFile(ROOT, "prod", EXAMPLE).config) as Record<string, any>;
const errors = (raw: Record<string, unknown>) => {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
};

describe("webstack:frontend.host: netlify, offline", () => {
  it("the example stack validates and plans a Netlify site with its build settings", () => {
    const r = validateStackConfig(example(), "prod");
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const plan = webPlan(r.config)!;
    expect(plan.site).toMatchObject({ host: "netlify", name: "shop-web", scope: "acme", rootDirectory: "web", publishDir: "dist", protect: true });
    expect(plan.corsAllowedOrigins).toEqual(["https://shop.example.com"]);
    expect(plan.frontendUrl).toBe("https://shop.example.com");
  });

  it("a staging stack on Netlify: CORS and FRONTEND_URL from Netlify's URL rules", () => {
    const raw = example();
    raw.environment = "staging";
    raw.frontend = { ...raw.frontend, projectId: "3f0c2d6e-9a41-4b8e-8f7a-2c5d1e0b9a77", branch: "staging", previewDefault: true, domains: [{ domain: "staging.shop.example.com", gitBranch: "staging" }] };
    for (const k of ["rootDirectory", "buildCommand"]) delete raw.frontend[k];
    const r = validateStackConfig(raw);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const plan = webPlan(r.config)!;
    expect(plan.corsAllowedOrigins).toEqual([
      "https://staging.shop.example.com",
      "https://staging--shop-web.netlify.app",
      "https://*--shop-web.netlify.app",
    ]);
    expect(plan.frontendUrl).toBe("https://staging.shop.example.com");
    delete raw.frontend.domains;
    const r2 = validateStackConfig(raw);
    expect(r2.ok && webPlan(r2.config)!.frontendUrl).toBe("https://staging--shop-web.netlify.app");
  });

  it("refuses Vercel settings, a www next to its apex, a domain claimed twice and branch domains the plan does not allow, naming each key", () => {
    const raw = example();
    expect(errors({ ...raw, frontend: { ...raw.frontend, teamId: "team_abc", installCommand: "npm ci" } })).toEqual([
      "webstack:frontend.installCommand: a Vercel setting; remove it with host: netlify",
      "webstack:frontend.teamId: a Vercel setting; remove it with host: netlify",
    ]);
    raw.frontend = { ...raw.frontend, domains: ["shop.example.com", "www.shop.example.com", "api.shop.example.com"] };
    raw.backend = { ...raw.backend, domains: ["api.shop.example.com"] };
    expect(errors(raw)).toEqual(
      expect.arrayContaining([
        "webstack:frontend.domains[1]: Netlify serves 'www.shop.example.com' with its apex 'shop.example.com' (and redirects one to the other); list the apex only",
      ]),
    );
    const staging = example();
    staging.environment = "staging";
    staging.frontend = { ...staging.frontend, projectId: "3f0c2d6e-9a41-4b8e-8f7a-2c5d1e0b9a77", branch: "staging", netlify: { plan: "free" }, domains: [{ domain: "preview.shop.example.com", gitBranch: "staging" }] };
    for (const k of ["rootDirectory", "buildCommand"]) delete staging.frontend[k];
    expect(errors(staging)).toContain(
      "webstack:frontend.domains[0].domain: Netlify serves a branch on '<branch>.<domain>': expected 'staging.<a domain on Netlify DNS>', got 'preview.shop.example.com'",
    );
    staging.frontend.domains = [{ domain: "staging.shop.example.com", gitBranch: "staging" }];
    expect(errors(staging)).toEqual([
      "webstack:frontend.domains[0].gitBranch: branch domains through the API (branch_deploy_custom_domain) need Netlify Pro; webstack:frontend.netlify.plan is 'free'",
    ]);
  });

  it("refuses a secret in a browser-prefixed variable, naming the key", () => {
    const raw = example();
    raw.env = { ...raw.env, frontend: { VITE_STRIPE_KEY: { secret: "STRIPE" } } };
    raw.secrets = { STRIPE: "x" };
    expect(errors(raw)).toContain(
      "webstack:env.frontend.VITE_STRIPE_KEY: holds a secret, but frontend builds inline 'VITE_' variables into the browser bundle; rename it without the prefix so only server code reads it",
    );
  });

  it("Netlify settings without host: netlify are refused", () => {
    const raw = example();
    raw.frontend = { ...raw.frontend, host: "vercel", netlify: { plan: "pro" } };
    expect(errors(raw)).toContain("webstack:frontend.netlify: Netlify settings need host: netlify");
  });
});

describe("slots and contexts", () => {
  it("maps every slot onto Netlify contexts, never 'all'", () => {
    const slots = frontendSlots({ production: true, branch: "staging", previewDefault: true, development: true });
    expect(slots.flatMap(netlifyContexts)).toEqual([
      { context: "production" },
      { context: "branch", contextParameter: "staging" },
      { context: "deploy-preview" },
      { context: "branch-deploy" },
      { context: "dev" },
    ]);
    const vars = netlifyVariables([
      { key: "VITE_API_URL", value: "a", target: "production", sensitive: false },
      { key: "VITE_API_URL", value: "b", target: "preview", gitBranch: "staging", sensitive: false },
      { key: "SENTRY_TOKEN", value: "s", target: "production", sensitive: true },
    ]);
    expect(vars).toEqual([
      { key: "VITE_API_URL", isSecret: false, values: [{ context: "production", value: "a" }, { context: "branch", contextParameter: "staging", value: "b" }] },
      { key: "SENTRY_TOKEN", isSecret: true, scopes: ["builds", "functions", "runtime"], values: [{ context: "production", value: "s" }] },
    ]);
  });

  it("the backend URL's variable defaults to what the build inlines: VITE_API_URL on Netlify and for Vite, NEXT_PUBLIC_API_URL for Next.js", () => {
    const raw = example();
    delete raw.frontend.apiUrlVariable;
    const netlify = validateStackConfig(raw);
    if (!netlify.ok) throw new Error(netlify.errors.join("\n"));
    expect(apiUrlVariable(netlify.config.frontend!)).toBe("VITE_API_URL");
    expect(apiUrlVariable({ host: "vercel" })).toBe("NEXT_PUBLIC_API_URL");
    expect(apiUrlVariable({ host: "vercel", framework: "vite" })).toBe("VITE_API_URL");
    expect(apiUrlVariable({ host: "netlify", apiUrlVariable: "PUBLIC_BACKEND" })).toBe("PUBLIC_BACKEND");
    // The default is the variable webstack wires, so setting it by hand is refused too.
    raw.env.frontend.VITE_API_URL = "https://elsewhere.example.com";
    expect(errors(raw)).toContain("webstack:env.frontend.VITE_API_URL: set by webstack from webstack:backend (frontend.apiUrlVariable); remove it here");
  });

  it("gives a branch URL only when the branch is a DNS label and the label fits", () => {
    expect(netlifyBranchUrl("shop-web", "staging")).toBe("https://staging--shop-web.netlify.app");
    expect(netlifyBranchUrl("shop-web", "feature/Login")).toBeUndefined();
    expect(netlifyBranchUrl("shop-web", "x".repeat(60))).toBeUndefined();
    expect(corsAllowedOrigins({ project: "shop-web", scope: "acme", domains: [], slots: [{ target: "production" }], urls: netlifyUrls })).toEqual([
      "https://shop-web.netlify.app",
    ]);
  });
});

describe("the example stack through the synth", () => {
  it("registers the Netlify site, one variable per key and the domains, wires VITE_API_URL and the backend's FRONTEND_URL", async () => {
    const m = await synthProgram(readStackFile(ROOT, "prod", EXAMPLE), { revealSecrets: true });
    const site = byType(m, "pulumi-nodejs:dynamic/netlify:Site");
    expect(site.map((s) => [s.inputs.name, s.inputs.accountSlug, s.inputs.publishDir, s.protect])).toEqual([["shop-web", "acme", "dist", true]]);
    // With the Supabase database, the build also gets the project URL and the browser-safe key (VITE_, a Vite build).
    expect(byType(m, "pulumi-nodejs:dynamic/netlify:EnvVar").map((v) => v.inputs.key).sort()).toEqual(["VITE_API_URL", "VITE_APP_NAME", "VITE_SUPABASE_ANON_KEY", "VITE_SUPABASE_URL"]);
    expect(byType(m, "pulumi-nodejs:dynamic/supabase:Project").map((p) => [p.inputs.region, p.protect])).toEqual([["eu-central-1", true]]);
    expect(byType(m, "pulumi-nodejs:dynamic/netlify:Domains").map((d) => d.inputs.customDomain)).toEqual(["shop.example.com"]);
    expect(byType(m, "vercel:index/project:Project")).toEqual([]);
    expect(m.outputs).toMatchObject({ frontendHost: "netlify", frontendUrl: "https://shop.example.com", frontendTeamId: "acme" });
    const backendEnv = revealed(one(m, "pulumi-nodejs:dynamic/render:Service", "shop-prod-api").inputs.envVars) as Record<string, string>;
    expect(backendEnv).toMatchObject({ FRONTEND_URL: "https://shop.example.com", CORS_ALLOWED_ORIGINS: "https://shop.example.com" });
    const apiVar = byType(m, "pulumi-nodejs:dynamic/netlify:EnvVar").find((v) => v.inputs.key === "VITE_API_URL")!;
    expect(revealed(apiVar.inputs.values)).toEqual([{ context: "production", value: "https://shop-prod-api.onrender.com" }]);
  });
});
