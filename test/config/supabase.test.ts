import { describe, expect, it } from "vitest";
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
