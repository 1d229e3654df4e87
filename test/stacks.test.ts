import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../synth/manifest";
import { SECURE_PLACEHOLDER } from "../synth/stack-file";
import { byType, one, revealed, synthStack } from "./harness";

// The example product, end to end: each stack's program under mocks, as `npm run synth` runs it.
const stacks = ["prod", "staging", "dev", "pr-7"] as const;
const manifests = {} as Record<(typeof stacks)[number], Manifest>;

beforeAll(async () => {
  for (const s of stacks) manifests[s] = await synthStack(s);
}, 120_000);

const SERVICE = "pulumi-nodejs:dynamic/render:Service";
const POSTGRES = "pulumi-nodejs:dynamic/render:Postgres";
const KEY_VALUE = "pulumi-nodejs:dynamic/render:KeyValue";
const R2_BUCKET = "cloudflare:index/r2Bucket:R2Bucket";

/** The stack's variables as the EnvVarSet records them: name, source, and the value of public literals only. */
const variables = (s: (typeof stacks)[number]) =>
  one(manifests[s], "webstack:index:EnvVarSet").inputs.variables as { name: string; source: string; value?: string; public: boolean; to: string[] }[];

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
      one(prod, KEY_VALUE),
      one(prod, R2_BUCKET),
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
      // Render's connection info, the R2 token's value and the S3 secret derived from it.
      expect(text).not.toMatch(/rediss?:\/\//);
      expect(text).not.toMatch(/fake-[\w-]*(password|token-value)/);
      expect(text).not.toMatch(/"[0-9a-f]{64}"/);
      for (const o of ["cacheConnectionString", "storageAccessKeyId", "storageSecretAccessKey"]) {
        if (o in manifests[s].outputs) expect(manifests[s].outputs[o], `${s} ${o}`).toBe("[secret]");
      }
    }
  });

  it("gives prod and staging their own cache (prod's paid and protected), dev and PR stacks staging's under their own prefix", () => {
    const kv = (s: (typeof stacks)[number]) => byType(manifests[s], KEY_VALUE).map((r) => [r.inputs.name, r.inputs.plan, r.inputs.region, r.protect, r.retainOnDelete]);
    expect(kv("prod")).toEqual([["ott-prod-cache", "starter", "frankfurt", true, true]]);
    expect(kv("staging")).toEqual([["ott-staging-cache", "free", "frankfurt", false, false]]);
    for (const s of ["dev", "pr-7"] as const) {
      expect(kv(s)).toEqual([]);
      expect(one(manifests[s], "pulumi:pulumi:StackReference", "cache-owner").inputs.name).toBe("acme/webstack/staging");
      expect(manifests[s].outputs.cacheId).toBe("red-fake-ott-staging-cache");
    }
    const prefixes = Object.fromEntries(stacks.map((s) => [s, variables(s).find((v) => v.name === "CACHE_KEY_PREFIX")?.value]));
    expect(prefixes).toEqual({ prod: "prod:", staging: "staging:", dev: "dev:", "pr-7": "pr-7:" });
    for (const s of stacks) expect(variables(s).find((v) => v.name === "REDIS_URL")).toMatchObject({ source: "from", to: ["backend"] });
  });

  it("gives prod, staging and dev their own bucket (prod's protected and retained) and the PR stack none by default", () => {
    const buckets = (s: (typeof stacks)[number]) => byType(manifests[s], R2_BUCKET).map((r) => [r.inputs.name, r.protect, r.retainOnDelete]);
    expect(buckets("prod")).toEqual([["ott-prod-files", true, true]]);
    expect(buckets("staging")).toEqual([["ott-staging-files", false, false]]);
    expect(buckets("dev")).toEqual([["ott-dev-files", false, false]]);
    expect(byType(manifests["pr-7"], "webstack:index:Storage")).toEqual([]);
    expect(variables("pr-7").filter((v) => v.name.startsWith("S3_"))).toEqual([]);
    // dev keeps its bucket small: objects expire after 30 days.
    expect(one(manifests.dev, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").inputs.rules).toMatchObject([
      { conditions: { prefix: "" }, deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * 86_400 } } },
    ]);
  });

  it("lets the frontend's exact origins upload to the bucket, and scopes each token to its own bucket's objects", () => {
    const origins = (s: (typeof stacks)[number]) =>
      (one(manifests[s], "cloudflare:index/r2BucketCors:R2BucketCors").inputs.rules as { allowed: { origins: string[]; methods: string[] } }[])[0]!.allowed;
    expect(origins("prod")).toEqual({ origins: ["https://ott.example.com"], methods: ["GET", "PUT", "HEAD"], headers: ["content-type"] });
    expect(origins("staging").origins).toEqual(["https://preview.ott.example.com", "https://ott-web-git-staging-acme.vercel.app"]);
    expect(origins("dev").origins).toEqual([
      "https://dev.ott.example.com",
      "https://ott-web-git-develop-acme.vercel.app",
      "https://ott-web-git-alice-acme.vercel.app",
      "https://ott-web-git-bob-acme.vercel.app",
      "http://localhost:3000",
    ]);
    for (const s of ["prod", "staging", "dev"] as const) {
      const policies = one(manifests[s], "cloudflare:index/accountToken:AccountToken").inputs.policies as { permissionGroups: { id: string }[]; resources: string }[];
      expect(policies.map((p) => JSON.parse(p.resources))).toEqual([
        { [`com.cloudflare.edge.r2.bucket.3f1c9a7be2d04c6f8a5b1e9d7c2f4a60_default_ott-${s}-files`]: "*" },
      ]);
      // Workers R2 Storage Bucket Item Write (object read and write): no bucket or account administration.
      expect(policies[0]!.permissionGroups).toEqual([{ id: "2efd5506f9c8494dacb1fa10a3e7d5b6" }]);
    }
  });

  it("wires the S3 variables into the main backend service only, secrets as secrets", async () => {
    for (const s of ["prod", "staging", "dev"] as const) {
      const s3 = variables(s).filter((v) => v.name.startsWith("S3_"));
      expect(s3).toEqual([
        { name: "S3_ENDPOINT_URL", source: "from", public: false, to: ["backend"] },
        { name: "S3_BUCKET", source: "from", public: false, to: ["backend"] },
        { name: "S3_REGION", source: "literal", value: "auto", public: true, to: ["backend"] },
        { name: "S3_ACCESS_KEY_ID", source: "from", public: false, to: ["backend"] },
        { name: "S3_SECRET_ACCESS_KEY", source: "from", public: false, to: ["backend"] },
      ]);
    }
    const dev = await synthStack("dev", undefined, { revealSecrets: true });
    const env = (name: string) => revealed(one(dev, SERVICE, name).inputs.envVars) as Record<string, unknown>;
    expect(env("ott-dev-api")).toMatchObject({ S3_BUCKET: "ott-dev-files", S3_REGION: "auto", CACHE_KEY_PREFIX: "dev:", S3_SECRET_ACCESS_KEY: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(env("ott-dev-api").REDIS_URL).toBe("redis://red-fake-ott-staging-cache:6379");
    // Each branch service keys the shared cache under its own prefix (issue 21: queues and sessions never cross).
    for (const branch of ["alice", "bob"]) {
      const service = `ott-dev-api-${branch}`;
      expect(Object.keys(env(service)).filter((k) => k.startsWith("S3_"))).toEqual([]);
      expect(env(service)).toMatchObject({ REDIS_URL: "redis://red-fake-ott-staging-cache:6379", CACHE_KEY_PREFIX: `dev:${branch}:` });
    }
  });
});
