import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadStackConfig } from "../../config/load";
import { synthesize } from "../../synth/run";
import { prepareStack } from "../../synth/prepare";
import { otherStackClaims } from "../../synth/stack-file";
import { isSupabaseSecretKey } from "../../components/env-guard";
import { rawSections } from "../../config/raw";
import { stackConfigSchema } from "../../config/schema";
import { stackFacts } from "../../cost/facts";
import { limitWarnings } from "../../cost/limits";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const example = () => rawSections(readStackFile(ROOT, "supabase-staging", `${ROOT}/stacks/examples/supabase.yaml`).config) as Record<string, any>;
const errorsFor = (raw: Record<string, unknown>) => {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
};

describe("webstack:database.server: supabase", () => {
  it("accepts the example stack", () => {
    expect(errorsFor(example())).toEqual([]);
  });

  it("refuses a missing organization, an unknown region or size, and compute the plan cannot run, naming the key", () => {
    const raw = example();
    delete raw.database.supabase;
    expect(errorsFor(raw)).toEqual(["webstack:database.supabase.organization: required with server 'supabase': the organization slug the project belongs to"]);
    raw.database.supabase = { organization: "acme-corp", region: "mars-1", instanceSize: "huge" };
    const errors = errorsFor(raw);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^webstack:database\.supabase\.region: /);
    expect(errors[0]).toContain("'eu-central-1'");
    expect(errors[1]).toMatch(/^webstack:database\.supabase\.instanceSize: /);
    raw.database.supabase = { organization: "acme-corp", plan: "free", instanceSize: "small" };
    expect(errorsFor(raw)).toEqual(["webstack:database.supabase.instanceSize: the free plan runs nano compute only; 'small' needs plan 'pro' or 'team'"]);
    raw.database.supabase = { organization: "acme corp" };
    expect(errorsFor(raw)).toEqual(["webstack:database.supabase.organization: expected an organization slug such as 'acme-corp' (GET /v1/organizations)"]);
  });

  it("refuses the service-role or secret key under any browser prefix, naming the variable", () => {
    const raw = example();
    const token = (role: string) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ role, iss: "supabase" })).toString("base64url")}.sig`;
    const jwt = token("service_role");
    raw.env = { frontend: { VITE_SUPABASE_SERVICE_ROLE_KEY: "x", NEXT_PUBLIC_KEY: "sb_secret_abc", VITE_TOKEN: jwt, VITE_SUPABASE_ANON_KEY: "sb_publishable_abc" } };
    const errors = errorsFor(raw);
    expect(errors.map((e) => e.split(":").slice(0, 2).join(":"))).toEqual([
      "webstack:env.frontend.VITE_SUPABASE_SERVICE_ROLE_KEY",
      "webstack:env.frontend.NEXT_PUBLIC_KEY",
      "webstack:env.frontend.VITE_TOKEN",
    ]);
    expect(errors[0]).toContain("bypasses row-level security");
    expect(isSupabaseSecretKey(token("anon"))).toBe(false);
    expect(isSupabaseSecretKey("sb_publishable_abc")).toBe(false);
  });
});

describe("Supabase in the cross-stack cost warnings", () => {
  it("counts free projects per organization across stacks and warns before the third, and about the 7-day pause", async () => {
    const facts = ["staging", "dev", "qa"].map((stack) => {
      const raw = example();
      raw.database.supabase = { organization: "hobby-org", plan: "free" };
      raw.environment = stack === "staging" ? "staging" : "development";
      return { facts: stackFacts(stack, stackConfigSchema.parse(raw) as any), copies: 1 };
    });
    const two = limitWarnings(facts.slice(0, 2)).filter((w) => w.kind === "supabase-free");
    expect(two.map((w) => w.scope)).toEqual(["stack:staging", "stack:dev"]);
    expect(two[0]!.message).toContain("pauses it after 7 days without activity");
    const three = limitWarnings(facts).filter((w) => w.scope === "supabase:hobby-org");
    expect(three).toHaveLength(1);
    expect(three[0]).toMatchObject({ used: 3, limit: 2 });
    expect(three[0]!.message).toMatch(/^Supabase organization 'hobby-org': 3 free projects \(staging, dev, qa\), over the 2 active free projects/);
  });
});

describe("a third free project in one organization", () => {
  it("is refused offline, naming the key, by the synth and by the program, counting the other stack files and the PR template", async () => {
    // A checkout: staging and dev each with a free project in 'hobby-org', and qa about to add a third.
    const dir = mkdtempSync(join(tmpdir(), "supabase-free-"));
    try {
      copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
      const doc = YAML.parse(readFileSync(join(ROOT, "stacks/examples/supabase.yaml"), "utf8"));
      const write = (file: string, env: string, supabase: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
        const config = { ...doc.config, "webstack:environment": env, ...extra };
        config["webstack:database"] = { mode: "isolated", server: "supabase", supabase, consumers: [] };
        writeFileSync(join(dir, file), YAML.stringify({ config }));
      };
      const free = { organization: "hobby-org", plan: "free" };
      write("Pulumi.staging.yaml", "staging", free);
      write("Pulumi.dev.yaml", "development", free);
      write("Pulumi.qa.yaml", "development", free);
      // Another org, and a paid org's projects, are not counted.
      write("Pulumi.other.yaml", "development", { organization: "acme-corp", plan: "free" });

      const prepared = (stack: string) => {
        const p = prepareStack(readStackFile(dir, stack), otherStackClaims(dir, stack));
        return p.ok ? [] : p.errors;
      };
      const refusal = [
        "webstack:database.supabase.plan: Supabase organization 'hobby-org' would hold 3 active free projects (this stack, dev (Pulumi.dev.yaml), " +
          "staging (Pulumi.staging.yaml)), but a free organization may have 2: Supabase refuses the create of the next one. Share one project instead " +
          "(webstack:database.mode: shared, listed in the owner's webstack:database.consumers), or set webstack:database.supabase.plan: pro (and upgrade the organization)",
      ];
      expect(prepared("qa")).toEqual(refusal);
      expect(prepared("other")).toEqual([]);

      // The program refuses it too (as under `pulumi up` in the checkout), before any resource is registered.
      const file = readStackFile(dir, "qa");
      const error = await synthesize({
        project: file.project,
        stack: "qa",
        config: { ...file.config, "webstack:secrets": JSON.stringify({ STRIPE_SECRET_KEY: "sk_test" }) },
        program: () => loadStackConfig(dir),
      }).then(
        () => undefined,
        (e: Error) => e.message,
      );
      expect(error).toBe(`Invalid configuration for stack 'qa' (1 problem):\n  ${refusal[0]}`);

      // The PR template counts once per expected open PR stack: alone, 3 free projects.
      write("Pulumi.qa.yaml", "development", { organization: "acme-corp", plan: "pro", instanceSize: "micro" });
      write("Pulumi.dev.yaml", "development", { organization: "acme-corp", plan: "pro", instanceSize: "micro" });
      write("stacks-preview.yaml", "preview", free, { "webstack:budget": { previewStacks: 2 } });
      expect(prepared("qa")).toEqual([]);
      const pr = prepareStack(readStackFile(dir, "pr-4", join(dir, "stacks-preview.yaml")), otherStackClaims(dir, "pr-4"));
      expect(pr.ok ? [] : pr.errors).toEqual([
        "webstack:database.supabase.plan: Supabase organization 'hobby-org' would hold 3 active free projects (this stack ×2, staging (Pulumi.staging.yaml)), " +
          "but a free organization may have 2: Supabase refuses the create of the next one (the preview template counts once per open pull-request stack, " +
          "webstack:budget.previewStacks). Share one project instead (webstack:database.mode: shared, listed in the owner's webstack:database.consumers), " +
          "or set webstack:database.supabase.plan: pro (and upgrade the organization)",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
