import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { apiUrlVariables } from "../../components/env-wiring";
import { EnvVarSet, type EnvVar } from "../../components/env-var-set";
import { FrontendSite } from "../../components/frontend-site";
import { envVarsFromConfig } from "../../config/env";
import { rawSections } from "../../config/raw";
import type { StackConfig } from "../../config/schema";
import { validateStackConfig } from "../../config/validate";
import { webPlan } from "../../config/web";
import { readStackFile } from "../../synth/stack-file";
import { byType, one, ROOT, settle, synthComponent } from "../harness";

const VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const DOMAIN = "vercel:index/projectDomain:ProjectDomain";

function stackConfig(stack: string): StackConfig {
  const r = validateStackConfig(rawSections(readStackFile(ROOT, stack).config));
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

/** Stand-ins for the outputs of WebService and Database, which other branches build. */
const serviceUrl = (stack: string) => `https://ott-api-${stack}.onrender.com`;
const branchUrls = { alice: "https://ott-api-alice.onrender.com", bob: "https://ott-api-bob.onrender.com" };

/** The wiring the README and the report give for index.ts, with stand-in backend outputs. */
function wire(config: StackConfig) {
  const secret = (name: string) => pulumi.secret(`value-of-${name}`);
  const db = config.database ? { connectionString: pulumi.secret("postgres://app:pw@db/app") } : undefined;
  const web = webPlan(config);

  const env = new EnvVarSet("env", {
    variables: [
      ...envVarsFromConfig(config.env, secret),
      ...(db ? [{ name: "DATABASE_URL", from: db.connectionString, to: ["backend"] } satisfies EnvVar] : []),
      ...(config.cron ? [{ name: "CRON_SECRET", generate: 48, to: ["backend", "worker"] } satisfies EnvVar] : []),
      ...(web && config.backend
        ? [{ name: "CORS_ALLOWED_ORIGINS", literal: web.corsAllowedOrigins.join(","), public: true, to: ["backend"] } satisfies EnvVar]
        : []),
    ],
    frontendSlots: web?.slots ?? [],
  });
  // new WebService("api", { ..., envVars: env.renderEnvVars }) would go here.
  const api = { url: pulumi.output(serviceUrl(config.environment)), branchUrls: pulumi.output(branchUrls) };

  const variables = [
    ...env.vercelVariables,
    ...(web && config.backend
      ? apiUrlVariables({
          variable: config.frontend!.apiUrlVariable,
          slots: web.slots,
          serviceUrl: web.backendDomainUrl ?? api.url,
          branchServices: config.backend.branches,
          branchUrls: api.branchUrls,
        })
      : []),
  ];
  const site =
    web &&
    new FrontendSite("web", {
      ...web.site,
      ...(web.projectFrom
        ? {
            projectId: new pulumi.StackReference("frontend-project", { name: web.projectFrom }).requireOutput(
              "frontendProjectId",
            ) as pulumi.Output<string>,
          }
        : web.projectId
          ? { projectId: web.projectId }
          : {}),
      variables,
    });
  return { env, site, web, variables };
}

async function synthWired(stack: string) {
  let wired!: ReturnType<typeof wire>;
  const m = await synthComponent(() => {
    wired = wire(stackConfig(stack));
  }, { stack });
  return { m, ...wired };
}

/** Each Vercel variable as `KEY target[@branch] sensitive?` from the synth. */
function vercelRows(m: Awaited<ReturnType<typeof synthWired>>["m"]): string[] {
  return byType(m, VAR)
    .map((v) => {
      const targets = (v.inputs.targets as string[]).join("+");
      return `${v.inputs.key} ${targets}${v.inputs.gitBranch ? `@${v.inputs.gitBranch}` : ""}${v.inputs.sensitive ? " sensitive" : ""}`;
    })
    .sort();
}

describe("frontend wiring per committed stack", () => {
  it("prod owns the project and its production target", async () => {
    const { m, site } = await synthWired("prod");
    expect(vercelRows(m)).toEqual(["NEXT_PUBLIC_API_URL production", "NEXT_PUBLIC_APP_NAME production"]);
    expect(byType(m, DOMAIN).map((d) => [d.inputs.domain, d.inputs.gitBranch])).toEqual([["ott.example.com", undefined]]);
    const project = one(m, "vercel:index/project:Project");
    expect(project.inputs.name).toBe("ott-web");
    expect(project.protect).toBe(true);
    expect((await settle(site!.projectId)).value).toBe("web-id");
  });

  it("staging attaches to prod's project: its branch and the branch-less previews", async () => {
    const { m } = await synthWired("staging");
    expect(byType(m, "vercel:index/project:Project")).toEqual([]);
    expect(vercelRows(m)).toEqual([
      "NEXT_PUBLIC_API_URL preview",
      "NEXT_PUBLIC_API_URL preview@staging",
      "NEXT_PUBLIC_APP_NAME preview",
      "NEXT_PUBLIC_APP_NAME preview@staging",
    ]);
    for (const v of byType(m, VAR)) expect(v.inputs.projectId).toBe("prj_synthprod");
    expect(one(m, "pulumi:pulumi:StackReference").name).toBe("frontend-project");
    expect(byType(m, DOMAIN).map((d) => [d.inputs.domain, d.inputs.gitBranch])).toEqual([["preview.ott.example.com", "staging"]]);
  });

  it("dev writes develop, the branch services' branches and development", async () => {
    const { m } = await synthWired("dev");
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

  it("no two committed stacks write the same Vercel slot of a variable", async () => {
    const all: string[] = [];
    // One after the other: the mock runtime is process-global.
    for (const s of ["prod", "staging", "dev"]) all.push(...vercelRows((await synthWired(s)).m));
    expect(all).toHaveLength(14);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each([
    // prod and staging have custom backend domains; dev has none and calls its onrender.com URL.
    ["prod", { production: "https://api.ott.example.com" }],
    ["staging", { "preview@staging": "https://api.staging.ott.example.com", preview: "https://api.staging.ott.example.com" }],
    [
      "dev",
      {
        "preview@develop": "https://ott-api-development.onrender.com",
        "preview@alice": branchUrls.alice,
        "preview@bob": branchUrls.bob,
        development: "https://ott-api-development.onrender.com",
      },
    ],
  ])("%s: each target calls its backend", async (stack, expected) => {
    const { variables } = await synthWired(stack);
    const got: Record<string, string> = {};
    for (const v of variables.filter((x) => x.key === "NEXT_PUBLIC_API_URL")) {
      got[v.gitBranch ? `${v.target}@${v.gitBranch}` : v.target] = (await settle(pulumi.output(v.value))).value;
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
    const { env } = await synthWired(stack);
    const { value } = await settle(env.renderEnvVars);
    expect(value.CORS_ALLOWED_ORIGINS).toBe(origins.join(","));
  });

  it.each(["prod", "staging", "dev"])("%s: secrets stay secret in the Render map, and nothing secret reaches Vercel", async (stack) => {
    const { env, m } = await synthWired(stack);
    const render = await settle(env.renderEnvVars);
    expect(render.secret).toBe(true);
    expect(render.value.DATABASE_URL).toBe("postgres://app:pw@db/app");
    expect(render.value.CRON_SECRET).toMatch(/^fake-env-cron-secret-x+$/);
    expect(render.value.CRON_SECRET).toHaveLength(48);
    expect(render.value.STRIPE_SECRET_KEY).toMatch(/^value-of-STRIPE_(TEST_)?SECRET_KEY$/);
    expect(env.workerBindings.map((b) => [b.name, b.type])).toEqual([["CRON_SECRET", "secret_text"]]);
    expect(await pulumi.isSecret(pulumi.output(env.workerBindings[0]!.text))).toBe(true);
    // Vercel values are secret in the synth ("[secret]") whatever they hold; none of these is sensitive.
    for (const v of byType(m, VAR)) {
      expect(v.inputs.value).toBe("[secret]");
      expect(v.inputs.sensitive).toBe(false);
    }
    expect(JSON.stringify(m)).not.toContain("value-of-");
    expect(JSON.stringify(m)).not.toContain("postgres://");
  });
});

describe("webPlan", () => {
  it("gives the owner the project settings and protection, and an attached stack none", () => {
    const prod = webPlan(stackConfig("prod"))!;
    expect(prod.site).toEqual({
      name: "ott-web",
      scope: "acme",
      domains: [{ domain: "ott.example.com" }],
      repo: "acme/ott",
      framework: "nextjs",
      productionBranch: "main",
      rootDirectory: "web",
      protect: true,
    });
    expect(prod.projectFrom).toBeUndefined();
    const staging = webPlan(stackConfig("staging"))!;
    expect(staging.site).toEqual({
      name: "ott-web",
      scope: "acme",
      domains: [{ domain: "preview.ott.example.com", gitBranch: "staging" }],
    });
    expect(staging.projectFrom).toBe("acme/webstack/prod");
    expect(staging.backendDomainUrl).toBe("https://api.staging.ott.example.com");
  });

  it("turns the customEnvironment flag into a custom environment named after the stack's environment", () => {
    const c = stackConfig("staging");
    c.frontend!.customEnvironment = true;
    expect(webPlan(c)!.site.customEnvironment).toEqual({ name: "staging", branch: "staging" });
  });
});
