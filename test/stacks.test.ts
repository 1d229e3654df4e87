import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../synth/manifest";
import { SECURE_PLACEHOLDER } from "../synth/stack-file";
import { byType, one, synthStack } from "./harness";

// The example product, end to end: each stack's program under mocks, as `npm run synth` runs it.
const stacks = ["prod", "staging", "dev", "pr-7"] as const;
const manifests = {} as Record<(typeof stacks)[number], Manifest>;

beforeAll(async () => {
  for (const s of stacks) manifests[s] = await synthStack(s);
}, 120_000);

const SERVICE = "pulumi-nodejs:dynamic/render:Service";
const POSTGRES = "pulumi-nodejs:dynamic/render:Postgres";

describe("the example product", () => {
  it("gives every Render service a name no other stack or branch uses", () => {
    const names = stacks.flatMap((s) => byType(manifests[s], SERVICE).map((r) => r.inputs.name as string));
    expect(names.sort()).toEqual(
      ["ott-dev-api", "ott-dev-api-alice", "ott-dev-api-bob", "ott-pr-7-api", "ott-prod-api", "ott-staging-api"].sort(),
    );
  });

  it("runs dev's branch services on their own branches, sharing the stack's variables", () => {
    const m = manifests.dev;
    const alice = one(m, SERVICE, "ott-dev-api-alice");
    expect(alice.inputs.branch).toBe("alice");
    expect(alice.inputs.envVars).toBe("[secret]");
    expect(m.outputs.branchUrls).toEqual({
      alice: "https://ott-dev-api-alice.onrender.com",
      bob: "https://ott-dev-api-bob.onrender.com",
    });
  });

  it("isolates prod's and staging's databases and shares staging's with dev and PR stacks", () => {
    expect(byType(manifests.prod, "webstack:index:Database")).toHaveLength(1);
    expect(byType(manifests.staging, "webstack:index:Database")).toHaveLength(1);
    expect(byType(manifests.dev, "webstack:index:SharedDatabase")).toHaveLength(1);
    const devRef = one(manifests.dev, "pulumi:pulumi:StackReference", "db-owner");
    expect(devRef.inputs.name).toBe("acme/webstack/staging");
    expect(byType(manifests["pr-7"], POSTGRES)).toEqual([]);
  });

  it("protects and retains production's stateful resources, and nothing in a PR stack", () => {
    const prod = manifests.prod;
    for (const r of [
      one(prod, POSTGRES),
      one(prod, "postgresql:index/database:Database"),
      one(prod, "postgresql:index/role:Role", "db-owner"),
      one(prod, SERVICE, "ott-prod-api"),
      one(prod, "vercel:index/project:Project"),
    ]) {
      expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, true, true]);
    }
    expect(manifests["pr-7"].resources.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  it("switches the PR stack's cron off and keeps dev's free service awake", () => {
    expect(manifests["pr-7"].outputs.cronSchedules).toEqual([]);
    expect(manifests.dev.outputs.cronSchedules).toEqual(["*/5 * * * *", "*/10 * * * *"]);
    expect(manifests.prod.outputs.cronSchedules).toEqual(["*/5 * * * *"]);
  });

  it("points each frontend slot at the matching backend", () => {
    const apiUrls = (m: Manifest) =>
      Object.fromEntries(
        byType(m, "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable")
          .filter((r) => r.inputs.key === "NEXT_PUBLIC_API_URL")
          .map((r) => [`${(r.inputs.targets as string[]).join("+")}${r.inputs.gitBranch ? `@${r.inputs.gitBranch}` : ""}`, r.inputs.value]),
      );
    expect(apiUrls(manifests.prod)).toEqual({ production: "[secret]" });
    expect(apiUrls(manifests.dev)).toMatchObject({ "preview@alice": "[secret]", "preview@develop": "[secret]" });
  });

  it("wires DATABASE_URL, CRON_SECRET and CORS into the backend, and records no secret value", () => {
    for (const s of stacks) {
      const env = one(manifests[s], "webstack:index:EnvVarSet");
      const vars = env.inputs.variables as { name: string; source: string; value?: string }[];
      expect(vars.map((v) => v.name)).toEqual(expect.arrayContaining(["DATABASE_URL", "CRON_SECRET", "CORS_ALLOWED_ORIGINS"]));
      for (const v of vars.filter((x) => x.source !== "literal")) expect(v).not.toHaveProperty("value");
    }
  });

  it("never writes a secret or a placeholder in plain text", () => {
    for (const s of stacks) {
      const text = JSON.stringify(manifests[s]);
      expect(text).not.toContain(SECURE_PLACEHOLDER);
      expect(text).not.toMatch(/postgres(ql)?:\/\/[^"[]*:[^"@[]+@/);
      expect(manifests[s].outputs.databaseConnectionString).toBe("[secret]");
    }
  });
});
