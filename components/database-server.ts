/**
 * Where a stack's own PostgreSQL comes from: one contract, two implementations (Render Postgres and
 * a Supabase project), chosen in `databaseServer` and nowhere else. The Database component then
 * creates the stack's role and database on it the same way for both.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "../config/database";
import { renderPostgresSchema } from "../config/database";
import { RenderPostgres } from "../providers/render/postgres-resource";
import { PoolerLoginCheck, SupabaseBucket, SupabaseProject } from "../providers/supabase/resources";
import type { AdminConnectionArgs } from "./database";
import type { EnvVar } from "./env-var-set";

type Isolated = Extract<DatabaseConfig, { mode: "isolated" }>;

/** What the program needs from a database server, whichever it is. */
export interface DatabaseServer {
  /** The resource the Database's providers wait for (pulumi/pulumi#3166). */
  resource: pulumi.Resource;
  /** The admin connection the Database creates its roles and database through. */
  adminConnection: AdminConnectionArgs;
  /** Appended as `.<suffix>` to role logins (Supabase's shared pooler). */
  loginSuffix?: pulumi.Input<string>;
  /** Variables beyond DATABASE_URL, given the owner's connection string. */
  variables(connectionString: pulumi.Output<string>): EnvVar[];
  /**
   * Signs in once as each role the stack hands out (the owner's and the consumers' connection
   * strings), where the way in can refuse a role the server accepts (Supabase's shared pooler).
   */
  checkLogins?(urls: pulumi.Output<string[]>, dependsOn: pulumi.Resource[]): pulumi.Resource;
  /** Stack outputs for day-2 commands (`webstack status/verify/backup`). */
  outputs: { renderPostgresId?: pulumi.Output<string>; supabaseProjectRef?: pulumi.Output<string>; supabaseApiUrl?: pulumi.Output<string> };
}

export interface ServerContext {
  /** Cloud name of a part, e.g. `ott-staging-db`. */
  name: (part: string) => string;
  production: boolean;
  renderOwnerId: string;
  renderEnvironmentId?: pulumi.Input<string>;
  /** The frontend's framework, which decides the browser prefix of the public Supabase variables. */
  frontendFramework?: string;
}

/** Browser prefix per frontend framework for SUPABASE_URL and the anon key. */
const BROWSER_PREFIX: Record<string, string> = { nextjs: "NEXT_PUBLIC_", vite: "VITE_", remix: "VITE_", sveltekit: "PUBLIC_", nuxtjs: "NUXT_PUBLIC_" };

function renderServer(db: Isolated, ctx: ServerContext): DatabaseServer {
  const pg = new RenderPostgres(
    "db-server",
    { ownerId: ctx.renderOwnerId, name: ctx.name("db"), environmentId: ctx.renderEnvironmentId, ...(db.render ?? renderPostgresSchema.parse({})) },
    // Production data outlives a mistaken `pulumi destroy` or a removed config block.
    { protect: ctx.production, retainOnDelete: ctx.production },
  );
  return {
    resource: pg,
    adminConnection: { host: pg.host, port: pg.port, username: pg.databaseUser, password: pg.password, database: pg.databaseName },
    variables: () => [],
    outputs: { renderPostgresId: pg.id },
  };
}

function supabaseServer(db: Isolated, ctx: ServerContext): DatabaseServer {
  const s = db.supabase!;
  const keep = { protect: ctx.production, retainOnDelete: ctx.production };
  const project = new SupabaseProject(
    "db-server",
    { organizationSlug: s.organization, name: ctx.name("db"), region: s.region, instanceSize: s.instanceSize, deletionProtection: ctx.production },
    keep,
  );
  const bucket = s.storage
    ? new SupabaseBucket(
        "storage-bucket",
        { projectRef: project.ref, name: s.storage.bucket, public: s.storage.public, fileSizeLimit: s.storage.fileSizeLimit, allowedMimeTypes: s.storage.allowedMimeTypes, deletionProtection: ctx.production },
        { ...keep, dependsOn: [project] },
      )
    : undefined;
  // GitHub's runners and Render are IPv4-only: the session pooler (`postgres.<ref>`), unless the
  // stack buys the IPv4 add-on and uses the direct host.
  const admin: AdminConnectionArgs = s.ipv4
    ? { host: project.directHost, port: 5432, username: "postgres", password: project.dbPassword, database: "postgres" }
    : { host: project.poolerHost, port: 5432, username: project.poolerUser, password: project.dbPassword, database: "postgres" };
  const prefix = ctx.frontendFramework ? BROWSER_PREFIX[ctx.frontendFramework] : undefined;
  return {
    resource: project,
    adminConnection: admin,
    loginSuffix: s.ipv4 ? undefined : project.ref,
    // Whether Supavisor lets a custom role in is unconfirmed (reference §5): try it at `pulumi up`.
    ...(s.ipv4
      ? {}
      : { checkLogins: (urls: pulumi.Output<string[]>, dependsOn: pulumi.Resource[]) => new PoolerLoginCheck("db-pooler-login", { projectRef: project.ref, urls }, { dependsOn }) }),
    variables: (conn) => [
      ...(s.ipv4
        ? []
        : [{
            name: "DATABASE_TRANSACTION_URL",
            from: conn.apply((u) => u.replace(/:5432\//, ":6543/")),
            to: ["backend"],
            description: "Supabase transaction-mode pooler: turn prepared statements off in the client",
          } satisfies EnvVar]),
      { name: "SUPABASE_URL", from: project.apiUrl, public: true, to: ["backend"], description: "Supabase project API URL" },
      { name: "SUPABASE_SERVICE_ROLE_KEY", from: project.serviceRoleKey, to: ["backend"], description: "Supabase secret key (bypasses RLS): server only" },
      ...(bucket ? [{ name: "SUPABASE_STORAGE_BUCKET", from: bucket.name, public: true, to: ["backend"] } satisfies EnvVar] : []),
      ...(prefix
        ? [
            { name: `${prefix}SUPABASE_URL`, from: project.apiUrl, public: true, to: ["frontend"], description: "Supabase project API URL" } satisfies EnvVar,
            { name: `${prefix}SUPABASE_ANON_KEY`, from: project.anonKey, public: true, to: ["frontend"], description: "Supabase publishable key (RLS applies)" } satisfies EnvVar,
          ]
        : []),
    ],
    outputs: { supabaseProjectRef: project.ref, supabaseApiUrl: project.apiUrl },
  };
}

const SERVERS: Record<Exclude<Isolated["server"], "external">, (db: Isolated, ctx: ServerContext) => DatabaseServer> = {
  render: renderServer,
  supabase: supabaseServer,
};

/** The stack's own server for an isolated database; undefined for an external server (postgresql:* config). */
export function databaseServer(db: DatabaseConfig | undefined, ctx: ServerContext): DatabaseServer | undefined {
  if (db?.mode !== "isolated" || db.server === "external") return undefined;
  return SERVERS[db.server](db, ctx);
}
