import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../config/validate";
import { rawSections } from "../../config/raw";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const valid = () => rawSections(readStackFile(ROOT, "prod").config) as Record<string, any>;

function errorsFor(raw: Record<string, unknown>): string[] {
  const r = validateStackConfig(raw);
  if (r.ok) throw new Error("expected the config to be rejected");
  return r.errors;
}

describe("stack config validation", () => {
  it.each(["prod", "staging", "dev"])("accepts the committed %s stack", (stack) => {
    const r = validateStackConfig(rawSections(readStackFile(ROOT, stack).config));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("names the key and the allowed values for a wrong enum", () => {
    const raw = valid();
    raw.database.mode = "isolatd";
    expect(errorsFor(raw)).toEqual(["webstack:database.mode: expected 'isolated' | 'shared'"]);
  });

  it("rejects an unknown key with a did-you-mean suggestion", () => {
    const raw = valid();
    raw.backend.healthCheckPth = "/up";
    raw.databse = {};
    expect(errorsFor(raw)).toEqual([
      "webstack:backend.healthCheckPth: unknown key; did you mean 'healthCheckPath'?",
      "webstack:databse: unknown key; did you mean 'database'?",
    ]);
  });

  it("lists the allowed keys when nothing is close", () => {
    const raw = valid();
    raw.app.zzzzzz = 1;
    expect(errorsFor(raw)).toEqual([
      "webstack:app.zzzzzz: unknown key; expected one of 'name' | 'pulumiOrg' | 'renderOwnerId' | 'renderProject' | 'renderWorkspacePlan' | 'repo'",
    ]);
  });

  it("wants exactly one of renderProject.name, .id and .from", () => {
    for (const renderProject of [{}, { name: "ott", from: "acme/webstack/staging" }, { id: "prj-abc", from: "acme/webstack/staging" }]) {
      const raw = valid();
      raw.app.renderProject = renderProject;
      expect(errorsFor(raw)).toEqual(["webstack:app.renderProject: set one of 'name' (this stack owns the project), 'id' or 'from' (another stack does)"]);
    }
    const bad = valid();
    bad.app.renderProject = { id: "prj_vercel" };
    expect(errorsFor(bad)).toEqual(["webstack:app.renderProject.id: expected a Render project id ('prj-…')"]);
    const raw = valid();
    raw.app.renderProject = { from: "prod" };
    expect(errorsFor(raw)).toEqual(["webstack:app.renderProject.from: expected '<org>/<project>/<stack>'"]);
  });

  it("reports a missing required key and a wrong type", () => {
    const raw = valid();
    delete raw.backend.startCommand;
    raw.backend.instances = "two";
    delete raw.backend.autoscaling;
    expect(errorsFor(raw)).toEqual([
      "webstack:backend.startCommand: missing required key (expected string)",
      "webstack:backend.instances: expected number, got string",
    ]);
  });

  it("reports every problem at once, across sections, with full paths", () => {
    const raw = valid();
    raw.environment = "prod";
    raw.cron.jobs[0].path = "no-slash";
    raw.env.backend.lower_case = "x";
    const errors = errorsFor(raw);
    expect(errors).toContain("webstack:environment: expected 'production' | 'staging' | 'development' | 'preview'");
    expect(errors).toContain("webstack:cron.jobs[0].path: expected a path starting with '/'");
    expect(errors).toContain("webstack:env.backend.lower_case: expected an UPPER_SNAKE_CASE variable name");
    expect(errors).toHaveLength(3);
  });

  it("checks cross-section rules even when another section is invalid", () => {
    const raw = valid();
    raw.backend.branches = ["alice"];
    raw.cron.accountId = "nope";
    expect(errorsFor(raw)).toEqual([
      "webstack:cron.accountId: expected a 32-character Cloudflare account id",
      "webstack:backend.branches: branch services are not allowed in production stacks",
    ]);
  });

  it("requires 'from' in shared mode and refuses a shared database in production", () => {
    const raw = valid();
    delete raw.backend.preDeployCommand; // a shared database rules out migrations too
    raw.database = { mode: "shared" };
    expect(errorsFor(raw)).toEqual(["webstack:database.from: missing required key (expected string)"]);
    raw.database = { mode: "shared", from: "acme/webstack/staging" };
    expect(errorsFor(raw)).toEqual(["webstack:database.mode: production stacks own their database: use 'isolated'"]);
  });

  it("rejects conflicting scaling settings within a section", () => {
    const raw = valid();
    raw.backend.instances = 2;
    expect(errorsFor(raw)).toEqual(["webstack:backend.instances: set either 'instances' or 'autoscaling', not both"]);
  });

  it("treats an empty section as absent, as Pulumi.yaml's default {} means", () => {
    const raw = valid();
    raw.frontend = {};
    const r = validateStackConfig(raw);
    expect(r.ok && r.config.frontend).toBeUndefined();
  });

  it("normalises branch services to {name, branch}", () => {
    const raw = rawSections(readStackFile(ROOT, "dev").config) as Record<string, any>;
    raw.backend.branches = ["alice", { name: "bob", branch: "feature/login" }];
    const r = validateStackConfig(raw);
    expect(r.ok && r.config.backend?.branches).toEqual([
      { name: "alice", branch: "alice" },
      { name: "bob", branch: "feature/login" },
    ]);
  });
});

describe("shared databases and migrations", () => {
  it("refuses a pre-deploy migration on a stack that shares another stack's database", () => {
    const raw = rawSections(readStackFile(ROOT, "dev").config) as Record<string, any>;
    raw.backend.preDeployCommand = "npm run db:migrate";
    const r = validateStackConfig(raw);
    expect(r.ok ? [] : r.errors).toEqual([
      "webstack:backend.preDeployCommand: a shared database's consumer role cannot change the schema; " +
        "run migrations in the owner stack (acme/webstack/staging) and remove this command",
    ]);
  });
});
