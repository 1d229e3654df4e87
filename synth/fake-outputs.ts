import { postgresUrl } from "../components/connection-string";
import { DATABASE_STACK_OUTPUTS } from "../components/database-outputs";

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
        },
        secretOutputNames: [DATABASE_STACK_OUTPUTS.consumerConnectionStrings],
      };
    },
    // A prod stack owns the Vercel project that staging and dev attach to (frontend.from).
    "^acme/webstack/prod$": () => ({ outputs: { frontendProjectId: "prj_synthprod", renderProjectId: "prj-fakeprod" }, secretOutputNames: [] }),
  };
