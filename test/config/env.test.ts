import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BROWSER_PREFIXES } from "../../components/env-guard";
import { envVarsFromConfig } from "../../config/env";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT, settle, synthComponent, synthStack } from "../harness";

const raw = (stack = "prod") => rawSections(readStackFile(ROOT, stack).config) as Record<string, any>;

function errorsFor(config: Record<string, unknown>): string[] {
  const r = validateStackConfig(config);
  return r.ok ? [] : r.errors;
}

describe("webstack:env guard", () => {
  it("refuses a config secret in NEXT_PUBLIC_STRIPE_KEY, naming the key", () => {
    const c = raw();
    c.env.frontend.NEXT_PUBLIC_STRIPE_KEY = { secret: "STRIPE_SECRET_KEY" };
    expect(errorsFor(c)).toEqual([
      "webstack:env.frontend.NEXT_PUBLIC_STRIPE_KEY: holds a secret, but frontend builds inline 'NEXT_PUBLIC_' variables " +
        "into the browser bundle; rename it without the prefix so only server code reads it",
    ]);
  });

  it.each(BROWSER_PREFIXES)("refuses secrets and generated values under %s, in either map", (prefix) => {
    const c = raw();
    c.env.frontend[`${prefix}SERVICE_ROLE_KEY`] = { secret: "X" };
    c.env.backend[`${prefix}SESSION`] = { generate: 32 };
    const errors = errorsFor(c);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(new RegExp(`^webstack:env\\.backend\\.${prefix}SESSION: holds a secret, but .*'${prefix}'`));
    expect(errors[1]).toMatch(new RegExp(`^webstack:env\\.frontend\\.${prefix}SERVICE_ROLE_KEY: holds a secret`));
  });

  it("allows a literal public variable under a browser prefix, and a secret under a server name", () => {
    const c = raw();
    c.env.frontend.VITE_APP_NAME = "OTT";
    c.env.frontend.NEXTAUTH_SECRET = { secret: "NEXTAUTH_SECRET" };
    expect(errorsFor(c)).toEqual([]);
  });

  it("refuses a name with different values for the backend and the frontend", () => {
    const c = raw();
    c.env.frontend.SESSION_SECRET = { generate: 32 };
    expect(errorsFor(c)).toEqual([
      "webstack:env.frontend.SESSION_SECRET: differs from webstack:env.backend; a name has one value per stack (use the same value, or another name)",
    ]);
  });

  it("refuses variables webstack wires itself", () => {
    const c = raw();
    c.env.backend.DATABASE_URL = "postgres://x";
    c.env.backend.CORS_ALLOWED_ORIGINS = "*";
    c.env.frontend.NEXT_PUBLIC_API_URL = "https://api.example.com";
    expect(errorsFor(c)).toEqual([
      "webstack:env.backend.DATABASE_URL: set by webstack from webstack:database; remove it here",
      "webstack:env.backend.CORS_ALLOWED_ORIGINS: set by webstack from webstack:frontend; remove it here",
      "webstack:env.frontend.NEXT_PUBLIC_API_URL: set by webstack from webstack:backend (frontend.apiUrlVariable); remove it here",
    ]);
    delete c.database;
    delete c.env.backend.CORS_ALLOWED_ORIGINS;
    delete c.env.frontend.NEXT_PUBLIC_API_URL;
    expect(errorsFor(c)).toEqual([]);
  });

  it("makes the program fail before any resource, naming the key", async () => {
    const run = synthStack("prod", {
      env: { backend: {}, frontend: { NEXT_PUBLIC_STRIPE_KEY: { secret: "STRIPE_SECRET_KEY" } } },
    });
    await expect(run).rejects.toThrow(/webstack:env\.frontend\.NEXT_PUBLIC_STRIPE_KEY: holds a secret/);
  });
});

describe("envVarsFromConfig", () => {
  it("turns literals public, secrets into config secrets, and one name in both maps into one shared variable", async () => {
    let vars: ReturnType<typeof envVarsFromConfig> = [];
    await synthComponent(() => {
      vars = envVarsFromConfig(
        {
          backend: { LOG_LEVEL: "info", SESSION_SECRET: { generate: 48 }, STRIPE_SECRET_KEY: { secret: "STRIPE" } },
          frontend: { NEXT_PUBLIC_APP_NAME: "OTT", SESSION_SECRET: { generate: 48 } },
        },
        (name) => pulumi.secret(`v-${name}`),
      );
    });
    expect(vars.map(({ secret: _s, ...v }) => v)).toEqual([
      { name: "LOG_LEVEL", literal: "info", public: true, to: ["backend"] },
      { name: "SESSION_SECRET", generate: 48, to: ["backend", "frontend"] },
      { name: "STRIPE_SECRET_KEY", to: ["backend"], description: "secret 'STRIPE' from stack config" },
      { name: "NEXT_PUBLIC_APP_NAME", literal: "OTT", public: true, to: ["frontend"] },
    ]);
    expect(await settle(pulumi.output(vars[2]!.secret!))).toEqual({ value: "v-STRIPE", secret: true });
  });
});

describe("webstack:frontend rules", () => {
  it("accepts the committed stacks", () => {
    for (const s of ["prod", "staging", "dev"]) expect(errorsFor(raw(s))).toEqual([]);
  });

  it("keeps project settings on the owner and production out of previews", () => {
    const c = raw("staging");
    c.frontend.framework = "vite";
    c.frontend.from = "acme/webstack/platform";
    expect(errorsFor(c)).toEqual([
      "webstack:frontend.projectId: set either 'from' or 'projectId', not both",
      "webstack:frontend.framework: a project setting, owned by 'acme/webstack/platform'; remove it here",
    ]);
    // Rules across sections run once the section itself is valid.
    delete c.frontend.framework;
    delete c.frontend.from;
    c.frontend.domains.push("www.ott.example.com", { domain: "x.ott.example.com", gitBranch: "bob" });
    expect(errorsFor(c)).toEqual([
      "webstack:frontend.domains[1]: a production domain belongs to the stack that owns the project; bind it to this stack's branch with gitBranch",
      "webstack:frontend.domains[2].gitBranch: 'bob' is not a branch this stack serves ('staging')",
    ]);
  });

  it("keeps previews and local development off the production backend", () => {
    const c = raw("prod");
    c.frontend.previewDefault = true;
    c.frontend.development = true;
    c.frontend.branch = "main";
    expect(errorsFor(c)).toEqual(["webstack:frontend.branch: is the production branch; a stack's branch deploys to preview"]);
    c.frontend.branch = "release";
    expect(errorsFor(c)).toEqual([
      "webstack:frontend.branch: a production stack serves the production branch only",
      "webstack:frontend.previewDefault: previews must not call the production backend",
      "webstack:frontend.development: local development must not call the production backend",
    ]);
  });
});
