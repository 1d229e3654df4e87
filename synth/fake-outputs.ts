import { postgresUrl } from "../components/connection-string";
import { CACHE_STACK_OUTPUTS } from "../components/cache-outputs";
import { DATABASE_STACK_OUTPUTS } from "../components/database-outputs";
import { STORAGE_STACK_OUTPUTS } from "../components/storage-outputs";

/**
 * Deterministic values the cloud would compute, per resource type, so outputs such as URLs
 * read like the real thing in the synth. Inputs are echoed back as state before these apply.
 */
export type FakeOutputs = (name: string, inputs: Record<string, any>) => Record<string, unknown>;

/** A secret in mock state, as the engine would mark an additionalSecretOutput. */
export function fakeSecret(value: string): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export const fakeOutputs: Record<string, FakeOutputs> = {
  // Vercel generates the automation bypass secret when none is given (additionalSecretOutputs).
  "vercel:index/projectProtectionBypass:ProjectProtectionBypass": () => ({ secret: fakeSecret("fakebypass0123456789abcdefghijkl"), scope: "automation-bypass", isEnvVar: true }),
  // The token's value is secret (additionalSecretOutputs); its id is the S3 access key id.
  "cloudflare:index/accountToken:AccountToken": (name) => ({ value: fakeSecret(`fake-${name}-token-value`), status: "active" }),
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({
    result: fakeSecret(`fake-${name}-`.padEnd(Number(inputs.length ?? 32), "x")),
    bcryptHash: fakeSecret(`$2a$10$fake-${name}`),
  }),
  // Render dynamic resources (providers/render): what Render computes on create.
  "pulumi-nodejs:dynamic/render:Service": (name, inputs) => ({
    url: inputs.type === "web_service" ? `https://${inputs.name ?? name}.onrender.com` : undefined,
    slug: inputs.name ?? name,
    dashboardUrl: `https://dashboard.render.com/web/srv-fake-${inputs.name ?? name}`,
    deployId: `dep-fake-${inputs.name ?? name}`,
  }),
  "pulumi-nodejs:dynamic/render:Project": (_name, inputs) => ({
    environmentIds: Object.fromEntries(((inputs.environments ?? []) as { name: string }[]).map((e) => [e.name, `evm-fake-${e.name}`])),
  }),
  // A new domain waits for its DNS record: Render reports it unverified.
  "pulumi-nodejs:dynamic/render:CustomDomain": (_name, inputs) => ({
    domainType: String(inputs.name ?? "").split(".").length === 2 ? "apex" : "subdomain",
    verificationStatus: "unverified",
  }),
  "pulumi-nodejs:dynamic/render:Postgres": (name, inputs) => {
    const id = `dpg-fake-${inputs.name ?? name}-a`;
    const db = `${inputs.databaseName ?? "db"}_fake`;
    const user = inputs.databaseUser ?? "user_fake";
    const host = `${id}.${inputs.region ?? "oregon"}-postgres.render.com`;
    return {
      host,
      port: 5432,
      internalHost: id,
      databaseName: db,
      databaseUser: user,
      password: fakeSecret(`fake-${name}-password`),
      externalConnectionString: fakeSecret(`postgresql://${user}:fake-${name}-password@${host}:5432/${db}`),
      internalConnectionString: fakeSecret(`postgresql://${user}:fake-${name}-password@${id}/${db}`),
      dashboardUrl: `https://dashboard.render.com/d/${id}`,
    };
  },
  // Supabase dynamic resources (providers/supabase): what the Management API answers once healthy.
  "pulumi-nodejs:dynamic/supabase:Project": (name, inputs) => {
    const ref = "fakeref" + String(inputs.name ?? name).replace(/[^a-z]/g, "").padEnd(13, "x").slice(0, 13);
    const pooler = `aws-0-${inputs.region ?? "us-east-1"}.pooler.supabase.com`;
    const pw = `fake-${name}-password`;
    return {
      ref,
      status: "ACTIVE_HEALTHY",
      apiUrl: `https://${ref}.supabase.co`,
      anonKey: `sb_publishable_fake_${ref}`,
      serviceRoleKey: fakeSecret(`sb_secret_fake_${ref}`),
      dbPassword: fakeSecret(pw),
      poolerHost: pooler,
      poolerUser: `postgres.${ref}`,
      directHost: `db.${ref}.supabase.co`,
      sessionUrl: fakeSecret(`postgresql://postgres.${ref}:${pw}@${pooler}:5432/postgres?sslmode=require`),
      transactionUrl: fakeSecret(`postgresql://postgres.${ref}:${pw}@${pooler}:6543/postgres?sslmode=require`),
      directUrl: fakeSecret(`postgresql://postgres:${pw}@db.${ref}.supabase.co:5432/postgres?sslmode=require`),
      postgresVersion: "17",
    };
  },
  "pulumi-nodejs:dynamic/supabase:Bucket": (_name, inputs) => ({ public: inputs.public ?? false, fileSizeLimitBytes: 0 }),
  // Every role signed in through the pooler and landed in its own database.
  "pulumi-nodejs:dynamic/supabase:LoginCheck": (_name, inputs) => ({
    checked: (Array.isArray(inputs.urls) ? inputs.urls : []).flatMap((u: unknown) => {
      try {
        const url = new URL(typeof u === "string" ? u : String((u as { value?: unknown })?.value ?? ""));
        return [`${decodeURIComponent(url.username).split(".")[0]}@${url.pathname.slice(1)}`];
      } catch {
        return [];
      }
    }),
  }),
  "pulumi-nodejs:dynamic/render:KeyValue": (name, inputs) => {
    const id = `red-fake-${inputs.name ?? name}`;
    const host = `${inputs.region ?? "oregon"}-keyvalue.render.com`;
    return {
      status: "available",
      version: "8.1.4",
      internalHost: id,
      internalPort: 6379,
      host,
      port: 6377,
      username: id,
      password: fakeSecret(`fake-${name}-password`),
      internalConnectionString: fakeSecret(`redis://${id}:6379`),
      externalConnectionString: fakeSecret(`rediss://${id}:fake-${name}-password@${host}:6377`),
    };
  },
};

/** What the cloud answers to invokes (data sources), by token; other invokes echo their inputs. */
export const fakeCalls: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
  // Cloudflare's permission groups; only Item Read's id is documented (r2/api/tokens).
  "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList": () => ({
    results: [
      { id: "6a018a9f2fc74eb6b293b0c548f38b39", name: "Workers R2 Storage Bucket Item Read", scopes: ["com.cloudflare.edge.r2.bucket"] },
      { id: "2efd5506f9c8494dacb1fa10a3e7d5b6", name: "Workers R2 Storage Bucket Item Write", scopes: ["com.cloudflare.edge.r2.bucket"] },
      { id: "bf7481a1826f439697cb59a20b22293e", name: "Workers R2 Storage Write", scopes: ["com.cloudflare.api.account"] },
    ],
  }),
};

/** Outputs another stack exports, keyed by `org/project/stack`, for StackReferences in the synth. */
export const fakeStackOutputs: Record<string, (ref: string) => { outputs: Record<string, unknown>; secretOutputNames: string[] }> =
  {
    // The staging stack as dev and pull-request stacks see it: a database shared with two consumers.
    "^acme/webstack/staging$": () => {
      const host = "dpg-fake-ott-staging-a.frankfurt-postgres.render.com";
      const consumers = Object.fromEntries(
        ["dev", "preview"].map((c) => [c, { host, port: 5432, database: "ott_staging", user: `ott_staging_${c}` }]),
      );
      const urls = Object.fromEntries(
        Object.entries(consumers).map(([c, e]) => [c, postgresUrl({ ...e, password: `fake-${c}-password`, sslmode: "require" })]),
      );
      return {
        outputs: {
          [DATABASE_STACK_OUTPUTS.environment]: "staging",
          [DATABASE_STACK_OUTPUTS.consumers]: consumers,
          [DATABASE_STACK_OUTPUTS.consumerConnectionStrings]: urls,
          // Its cache and bucket, which dev and pull-request stacks share under their own prefixes.
          [CACHE_STACK_OUTPUTS.id]: "red-fake-ott-staging-cache",
          [CACHE_STACK_OUTPUTS.connectionString]: "redis://red-fake-ott-staging-cache:6379",
          [STORAGE_STACK_OUTPUTS.bucketName]: "ott-staging-files",
          [STORAGE_STACK_OUTPUTS.endpoint]: "https://3f1c9a7be2d04c6f8a5b1e9d7c2f4a60.r2.cloudflarestorage.com",
        },
        secretOutputNames: [DATABASE_STACK_OUTPUTS.consumerConnectionStrings, CACHE_STACK_OUTPUTS.connectionString],
      };
    },
    // A prod stack owns the Vercel and Render projects; no stack below it references it (staging and dev take the ids as config).
    "^acme/webstack/prod$": () => ({
      outputs: { frontendProjectId: "prj_synthprod", renderProjectId: "prj-fakeprod", frontendProtectionBypass: "fakebypass0123456789abcdefghijkl" },
      secretOutputNames: ["frontendProtectionBypass"],
    }),
    // A non-production stack that owns the shared projects, as `renderProject.from` / `frontend.from` may name one.
    "^acme/webstack/platform$": () => ({
      outputs: { environment: "platform", frontendProjectId: "prj_synthprod", renderProjectId: "prj-fakeprod", frontendProtectionBypass: "fakebypass0123456789abcdefghijkl" },
      secretOutputNames: ["frontendProtectionBypass"],
    }),
  };
