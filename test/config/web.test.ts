import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import type { StackConfig } from "../../config/schema";
import { validateStackConfig } from "../../config/validate";
import { webPlan } from "../../config/web";
import { readStackFile } from "../../synth/stack-file";
import type { Manifest } from "../../synth/manifest";
import { byType, one, revealed, ROOT, synthCommitted, synthStack } from "../harness";

const VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const DOMAIN = "vercel:index/projectDomain:ProjectDomain";
const SERVICE = "pulumi-nodejs:dynamic/render:Service";
/** The Vercel team id the committed stacks set. */
const TEAM = "team_0tt7acme2Kp9xWz4Lr8Nq3Vb";

function stackConfig(stack: string): StackConfig {
  const r = validateStackConfig(rawSections(readStackFile(ROOT, stack).config));
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

/** The real program for a committed stack, with secrets recorded as `{"[secret]": value}`; each stack synthesized once in this file. */
const synthWired = (stack: string) => synthCommitted(stack, { revealSecrets: true });

/** Each Vercel variable as `KEY target[@branch] sensitive?` from the synth. */
function vercelRows(m: Manifest): string[] {
  return byType(m, VAR)
    .map((v) => {
      const targets = (v.inputs.targets as string[]).join("+");
      return `${v.inputs.key} ${targets}${v.inputs.gitBranch ? `@${v.inputs.gitBranch}` : ""}${v.inputs.sensitive ? " sensitive" : ""}`;
    })
    .sort();
}

/** The backend's Render env vars (a secret map) as the main service receives them. */
function renderEnvVars(m: Manifest, stack: string): Record<string, string> {
  return revealed(one(m, SERVICE, `ott-${stack}-api`).inputs.envVars) as Record<string, string>;
}

describe("frontend wiring per committed stack", () => {
  it("prod owns the project and its production target", async () => {
    const m = await synthWired("prod");
    expect(vercelRows(m)).toEqual(["NEXT_PUBLIC_API_URL production", "NEXT_PUBLIC_APP_NAME production"]);
    expect(byType(m, DOMAIN).map((d) => [d.inputs.domain, d.inputs.gitBranch])).toEqual([["ott.example.com", undefined]]);
    const project = one(m, "vercel:index/project:Project");
    expect(project.inputs.name).toBe("ott-web");
    expect(project.protect).toBe(true);
    expect(m.outputs.frontendProjectId).toBe("web-id");
  });

  it("staging attaches to prod's project: its branch and the branch-less previews", async () => {
    const m = await synthWired("staging");
    expect(byType(m, "vercel:index/project:Project")).toEqual([]);
    expect(vercelRows(m)).toEqual([
      "NEXT_PUBLIC_API_URL preview",
      "NEXT_PUBLIC_API_URL preview@staging",
      "NEXT_PUBLIC_APP_NAME preview",
      "NEXT_PUBLIC_APP_NAME preview@staging",
    ]);
    // prod's project by id, from plain config: no StackReference into prod.
    for (const v of byType(m, VAR)) expect(v.inputs.projectId).toBe("prj_0tt7acme2WebXk4Lr8Nq3VbPz");
    expect(byType(m, "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).not.toContain("acme/webstack/prod");
    expect(byType(m, DOMAIN).map((d) => [d.inputs.domain, d.inputs.gitBranch])).toEqual([["preview.ott.example.com", "staging"]]);
  });

  it("dev writes develop, the branch services' branches and development", async () => {
    const m = await synthWired("dev");
    expect(vercelRows(m)).toEqual([
      "NEXT_PUBLIC_API_URL development",
      "NEXT_PUBLIC_API_URL preview@alice",
      "NEXT_PUBLIC_API_URL preview@bob",
      "NEXT_PUBLIC_API_URL preview@develop",
      "NEXT_PUBLIC_APP_NAME development",
      "NEXT_PUBLIC_APP_NAME preview@alice",
      "NEXT_PUBLIC_APP_NAME preview@bob",
      "NEXT_PUBLIC_APP_NAME preview@develop",
    ]);
    expect(byType(m, DOMAIN).map((d) => [d.inputs.domain, d.inputs.gitBranch])).toEqual([["dev.ott.example.com", "develop"]]);
  });

  it("no two stacks, a PR stack included, write the same Vercel slot of a variable", async () => {
    const all: string[] = [];
    // One after the other: the mock runtime is process-global.
    for (const s of ["prod", "staging", "dev", "pr-7"]) all.push(...vercelRows(await synthWired(s)));
    expect(all).toHaveLength(16);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each([
    // prod and staging have custom backend domains; dev has none and calls its onrender.com URLs.
    ["prod", { production: "https://api.ott.example.com" }],
    ["staging", { "preview@staging": "https://api.staging.ott.example.com", preview: "https://api.staging.ott.example.com" }],
    [
      "dev",
      {
        "preview@develop": "https://ott-dev-api.onrender.com",
        "preview@alice": "https://ott-dev-api-alice.onrender.com",
        "preview@bob": "https://ott-dev-api-bob.onrender.com",
        development: "https://ott-dev-api.onrender.com",
      },
    ],
  ])("%s: each target calls its backend", async (stack, expected) => {
    const m = await synthWired(stack);
    const got: Record<string, unknown> = {};
    for (const v of byType(m, VAR).filter((x) => x.inputs.key === "NEXT_PUBLIC_API_URL")) {
      const target = (v.inputs.targets as string[]).join("+");
      got[v.inputs.gitBranch ? `${target}@${v.inputs.gitBranch}` : target] = revealed(v.inputs.value);
    }
    expect(got).toEqual(expected);
  });

  it.each([
    ["prod", ["https://ott.example.com"]],
    [
      "staging",
      ["https://preview.ott.example.com", "https://ott-web-git-staging-acme.vercel.app", "https://ott-web-*-acme.vercel.app"],
    ],
    [
      "dev",
      [
        "https://dev.ott.example.com",
        "https://ott-web-git-develop-acme.vercel.app",
        "https://ott-web-git-alice-acme.vercel.app",
        "https://ott-web-git-bob-acme.vercel.app",
        "https://ott-web-*-acme.vercel.app",
        "http://localhost:3000",
      ],
    ],
  ])("%s: the backend's CORS allows exactly its frontends", async (stack, origins) => {
    expect(renderEnvVars(await synthWired(stack), stack).CORS_ALLOWED_ORIGINS).toBe(origins.join(","));
  });

  it.each(["prod", "staging", "dev"])("%s: secrets stay secret in the Render map, and nothing secret reaches Vercel", async (stack) => {
    const m = await synthWired(stack);
    const env = renderEnvVars(m, stack);
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\//);
    expect(env.CRON_SECRET).toMatch(/^fake-env-cron-secret-x+$/);
    expect(env.CRON_SECRET).toHaveLength(48);
    expect(env.STRIPE_SECRET_KEY).toBe("synth-placeholder-secret");
    // The Worker gets the same CRON_SECRET, as a secret_text binding.
    const bindings = revealed(one(m, "cloudflare:index/workersScript:WorkersScript").inputs.bindings) as { name: string; type: string; text?: string }[];
    expect(bindings.find((b) => b.name === "CRON_SECRET")).toEqual({ name: "CRON_SECRET", type: "secret_text", text: env.CRON_SECRET });
    // Vercel values are secret in the synth whatever they hold (the SDK wraps them); none of these is sensitive.
    for (const v of byType(m, VAR)) {
      expect(typeof revealed(v.inputs.value)).toBe("string");
      expect(v.inputs.sensitive).toBe(false);
    }
  });
});

describe("webPlan", () => {
  it("gives the owner the project settings and protection, and an attached stack none", () => {
    const prod = webPlan(stackConfig("prod"))!;
    expect(prod.site).toEqual({
      host: "vercel",
      name: "ott-web",
      scope: "acme",
      teamId: TEAM,
      domains: [{ domain: "ott.example.com" }],
      repo: "acme/ott",
      framework: "nextjs",
      productionBranch: "main",
      rootDirectory: "web",
      protect: true,
      vercelAuthentication: "standardProtectionNew",
    });
    expect(prod.projectFrom).toBeUndefined();
    const staging = webPlan(stackConfig("staging"))!;
    expect(staging.site).toEqual({
      host: "vercel",
      name: "ott-web",
      scope: "acme",
      teamId: TEAM,
      domains: [{ domain: "preview.ott.example.com", gitBranch: "staging" }],
    });
    expect(staging.projectFrom).toBeUndefined();
    expect(staging.projectId).toBe("prj_0tt7acme2WebXk4Lr8Nq3VbPz");
    expect(staging.backendDomainUrl).toBe("https://api.staging.ott.example.com");
  });

  it("sets Vercel Authentication from config on the owner only; production-wide protection needs Pro", () => {
    const c = stackConfig("prod");
    c.frontend!.vercelAuthentication = "none";
    const site = webPlan(c)!.site;
    expect(site.host === "vercel" && site.vercelAuthentication).toBe("none");
    const errors = (stack: string, frontend: Record<string, unknown>) => {
      const raw = rawSections(readStackFile(ROOT, stack).config) as Record<string, any>;
      const r = validateStackConfig({ ...raw, frontend: { ...raw.frontend, ...frontend } });
      return r.ok ? [] : r.errors;
    };
    expect(errors("prod", { vercelAuthentication: "allDeployments" })).toEqual([
      expect.stringMatching(/^webstack:frontend\.vercelAuthentication: 'allDeployments' protects production domains too, which Vercel offers on Pro and Enterprise only/),
    ]);
    expect(errors("prod", { vercelAuthentication: "allDeployments", plan: "pro" })).toEqual([]);
    expect(errors("prod", { vercelAuthentication: "everything" })).toEqual([expect.stringMatching(/vercelAuthentication.*expected 'standardProtectionNew' \|/)]);
    expect(errors("staging", { vercelAuthentication: "none" })).toEqual([expect.stringMatching(/vercelAuthentication: a project setting, owned by whoever manages the project; remove it here/)]);
  });

  it("turns the customEnvironment flag into a custom environment named after the stack's environment", () => {
    const c = stackConfig("staging");
    c.frontend!.customEnvironment = true;
    const site = webPlan(c)!.site;
    expect(site.host === "vercel" && site.customEnvironment).toEqual({ name: "staging", branch: "staging" });
  });
});

describe("Vercel team scope", () => {
  const frontend = (stack: string) => rawSections(readStackFile(ROOT, stack).config) as Record<string, any>;
  const errors = (raw: Record<string, unknown>, vercelTeam?: string) => {
    const r = validateStackConfig(raw, undefined, vercelTeam ? { vercelTeam } : {});
    return r.ok ? [] : r.errors;
  };

  it("is set in every committed stack and the pull-request template, and reaches every Vercel resource", async () => {
    for (const stack of ["prod", "staging", "dev", "pr-1"]) {
      const site = webPlan(stackConfig(stack))!.site;
      expect(site.host === "vercel" && site.teamId, stack).toBe(TEAM);
    }
    // teamId is plain config: the manifest with secrets revealed records it as any other.
    const m = await synthWired("staging");
    const vercel = m.resources.filter((r) => r.custom && r.type.startsWith("vercel:"));
    expect(vercel.length).toBeGreaterThan(0);
    for (const r of vercel) expect(r.inputs.teamId, r.name).toBe(TEAM);
    expect(one(await synthWired("prod"), "vercel:index/project:Project").inputs.teamId).toBe(TEAM);
  });

  it("is required when scope names a team, naming the key and the other way to set it", () => {
    for (const stack of ["prod", "staging"]) {
      const raw = frontend(stack);
      delete raw.frontend.teamId;
      const [only, ...more] = errors(raw);
      expect(more).toEqual([]);
      expect(only).toMatch(/^webstack:frontend\.teamId: required: scope 'acme' names a Vercel team/);
      expect(only).toContain("vercel:team");
      expect(only).toContain("before the first 'pulumi up'");
      expect(only).toContain("webstack:frontend.personalAccount: true");
    }
  });

  it("accepts vercel:team from the stack file instead, and then leaves teamId off the resources", async () => {
    const raw = frontend("prod");
    delete raw.frontend.teamId;
    expect(errors(raw, "acme")).toEqual([]);
    const { teamId, ...rest } = JSON.parse(readStackFile(ROOT, "prod").config["webstack:frontend"]!);
    expect(teamId).toBe(TEAM);
    const m = await synthStack("prod", { frontend: rest, "vercel:team": "acme" });
    expect(one(m, "vercel:index/project:Project").inputs.teamId).toBeUndefined();
    await expect(synthStack("prod", { frontend: rest })).rejects.toThrow(/webstack:frontend\.teamId: required/);
  });

  it("needs no team for a personal account, and refuses one there", () => {
    const raw = frontend("prod");
    delete raw.frontend.teamId;
    raw.frontend.personalAccount = true;
    expect(errors(raw)).toEqual([]);
    expect(errors(raw, "acme")).toEqual(["webstack:frontend.personalAccount: the stack file sets vercel:team 'acme': a personal account has no team"]);
    raw.frontend.teamId = TEAM;
    expect(errors(raw)).toEqual(["webstack:frontend.teamId: a personal account has no team: remove teamId or personalAccount"]);
  });

  it("takes an id, not the slug", () => {
    const raw = frontend("prod");
    raw.frontend.teamId = "acme";
    expect(errors(raw)).toEqual(["webstack:frontend.teamId: expected a Vercel team id ('team_…'); a team slug goes in vercel:team"]);
  });
});
