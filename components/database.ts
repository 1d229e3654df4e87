import * as pulumi from "@pulumi/pulumi";
import { postgresql, type DatabaseArgs as PgDatabaseArgs, type DefaultPrivilegesArgs, type GrantArgs, type GrantRoleArgs, type PostgresqlProvider, type ProviderArgs, type RoleArgs } from "./postgresql-resources";
import { random, type RandomPassword, type RandomPasswordArgs } from "./random-resources";
import { databaseRoles } from "../providers/names";
import { postgresUrl } from "./connection-string";
import type { ConsumerEndpoint } from "./database-outputs";
import { applyTransform, type ResourceTransform } from "./transform";

export { DATABASE_STACK_OUTPUTS, type ConsumerEndpoint } from "./database-outputs";

/** libpq sslmode (an object, not a union, for the multi-language schema). */
export const SslMode = { require: "require", verifyCa: "verify-ca", verifyFull: "verify-full", disable: "disable" } as const;
export type SslMode = (typeof SslMode)[keyof typeof SslMode];
export const sslmodes: readonly SslMode[] = Object.values(SslMode);

/** An administrator's connection to the server the Database creates its role and database on. */
export interface AdminConnectionArgs {
  /** Server hostname, e.g. a Render Postgres's external host. */
  host: pulumi.Input<string>;
  /** Server port. */
  port: pulumi.Input<number>;
  /** Admin user; it needs CREATEROLE and CREATEDB. */
  username: pulumi.Input<string>;
  /** Admin password (kept secret). */
  password: pulumi.Input<string>;
  /**
   * Database the admin connects to. Defaults to "postgres"; for a Render Postgres pass its
   * `databaseName`, the database Render created for its admin.
   */
  database?: pulumi.Input<string>;
  /**
   * Whether the admin is a superuser. Defaults to false, which is right for managed servers
   * (Render, Supabase, Neon) and harmless for a real superuser.
   */
  superuser?: pulumi.Input<boolean>;
}

export interface DatabaseArgs {
  /** Product name, the first half of the role and database names. @example "ott" */
  app: string;
  /** Stack name, the second half of the names. Defaults to the current stack. @example "staging" */
  stack?: string;
  /**
   * Admin connection to the server. Omit it for an existing server configured the standard way
   * (`postgresql:host`, `postgresql:port`, `postgresql:username`, `postgresql:password`,
   * `postgresql:database`, `postgresql:superuser`, or PGHOST/PGPORT/PGUSER/PGPASSWORD).
   * Pass it for a server the stack creates, together with `dependsOn` on that server.
   * @example { host: pg.host, port: pg.port, username: pg.databaseUser, password: pg.password, database: pg.databaseName }
   */
  adminConnection?: AdminConnectionArgs;
  /** sslmode for the admin connection and every generated connection string. Defaults to "require". */
  sslmode?: SslMode;
  /**
   * Stacks that may share this database. Each gets its own login role with read/write access to
   * the tables (no DDL, no ownership) and its own password.
   * @example ["dev", "preview"]
   */
  consumers?: string[];
  /** Protect the database and its roles (`protect` + `retainOnDelete`); pass true in production. */
  protect?: boolean;
  /**
   * Appended as `.<loginSuffix>` to each role's name where it signs in (the owner's provider and
   * every connection string), not to the role itself. Supabase's shared pooler finds the project
   * by it: a role `ott_staging` signs in as `ott_staging.<ref>`.
   * @example supabaseProject.ref
   */
  loginSuffix?: pulumi.Input<string>;
}

export interface DatabaseOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    /** The admin's provider (`<name>-admin`): roles, the database, grants inside the database. */
    provider?: ResourceTransform<ProviderArgs>;
    /** The owner's provider (`<name>-as-owner`): the database-level grants. */
    ownerProvider?: ResourceTransform<ProviderArgs>;
    password?: ResourceTransform<RandomPasswordArgs>;
    role?: ResourceTransform<RoleArgs>;
    database?: ResourceTransform<PgDatabaseArgs>;
    grant?: ResourceTransform<GrantArgs>;
    /** The owner's membership in each consumer role (`<name>-<consumer>-in-owner`). */
    grantRole?: ResourceTransform<GrantRoleArgs>;
    defaultPrivileges?: ResourceTransform<DefaultPrivilegesArgs>;
  };
}

// One source for PostgreSQL names: the config validation checks the same roles before anything runs.
export { pgIdentifier } from "../providers/names";

/** What a consumer may do with the owner's tables and sequences: the app's DML, no DDL. */
export const TABLE_PRIVILEGES: readonly string[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];
export const SEQUENCE_PRIVILEGES: readonly string[] = ["USAGE", "SELECT"];

/** Reads the standard `postgresql:*` provider config, then the libpq env vars. */
function adminFromConfig(component: string): AdminConnectionArgs {
  const cfg = new pulumi.Config("postgresql");
  const host = cfg.get("host") ?? process.env.PGHOST;
  if (!host) {
    throw new Error(
      `Database '${component}': no server to connect to. Pass adminConnection (a server the stack creates), ` +
        "or set postgresql:host, postgresql:username and postgresql:password (or PGHOST, PGUSER, PGPASSWORD).",
    );
  }
  const port = cfg.getNumber("port") ?? Number(process.env.PGPORT ?? 5432);
  const password = cfg.getSecret("password") ?? (process.env.PGPASSWORD ? pulumi.secret(process.env.PGPASSWORD) : undefined);
  if (password === undefined) {
    throw new Error(`Database '${component}': set the admin password with 'pulumi config set --secret postgresql:password' (or PGPASSWORD).`);
  }
  return {
    host,
    port,
    username: cfg.get("username") ?? process.env.PGUSER ?? "postgres",
    password,
    database: cfg.get("database") ?? process.env.PGDATABASE ?? "postgres",
    superuser: cfg.getBoolean("superuser") ?? false,
  };
}

/**
 * A PostgreSQL database of its own for one stack: a login role named after the app and stack
 * with a generated password, a database owned by it, CONNECT revoked from PUBLIC, and optionally
 * one least-privilege role per consumer stack.
 *
 * Every PostgreSQL child uses an explicit provider and waits for this component's `dependsOn`
 * (e.g. the Render Postgres that the connection comes from), so nothing connects before the
 * server exists. The admin's provider creates the roles and the database and grants inside it;
 * a second provider signs in as the owner for the database-level grants (CONNECT), which only
 * the owner can give when the admin is not a superuser (see docs/architecture.md, "Databases").
 */
export class Database extends pulumi.ComponentResource {
  /** Server hostname. */
  public readonly host: pulumi.Output<string>;
  /** Server port. */
  public readonly port: pulumi.Output<number>;
  /** Database name. */
  public readonly database: pulumi.Output<string>;
  /** Login role the connection string uses. */
  public readonly user: pulumi.Output<string>;
  /** `postgresql://…?sslmode=…` for the owner role (secret). */
  public readonly connectionString: pulumi.Output<string>;
  /** Consumer name → endpoint without secrets; export it as `DATABASE_STACK_OUTPUTS.consumers`. */
  public readonly consumers: pulumi.Output<Record<string, ConsumerEndpoint>>;
  /** Consumer name → its own connection string (secret); export it as `DATABASE_STACK_OUTPUTS.consumerConnectionStrings`. */
  public readonly consumerConnectionStrings: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: DatabaseArgs, opts: DatabaseOptions = {}) {
    // Everything is checked before the component registers, so bad input registers nothing.
    const stack = args.stack ?? pulumi.getStack();
    const consumers = args.consumers ?? [];
    const sslmode = args.sslmode ?? "require";
    if (!(sslmodes as readonly string[]).includes(sslmode)) {
      throw new Error(`Database '${name}': sslmode must be one of ${sslmodes.join(", ")}, got '${sslmode}'`);
    }
    const seen = new Set<string>();
    for (const c of consumers) {
      if (!/^[a-z][a-z0-9-]*$/.test(c)) throw new Error(`Database '${name}': consumer '${c}' must be a lowercase stack-like name`);
      if (seen.has(c)) throw new Error(`Database '${name}': consumer '${c}' is listed twice`);
      seen.add(c);
    }
    const { owner: roleName, roles: consumerRoles, clash } = databaseRoles(args.app, stack, consumers);
    if (clash) throw new Error(`Database '${name}': consumer '${clash.consumer}' maps to a role name already taken ('${clash.role}')`);
    const admin = args.adminConnection ?? adminFromConfig(name);

    super("webstack:index:Database", name, {}, opts);
    const { transform = {} } = opts;

    // The provider and every child wait explicitly for what the component waits for (e.g. the
    // Render Postgres): a provider built from another resource's outputs must not connect before
    // that resource is ready (pulumi/pulumi#3166).
    const after = opts.dependsOn;
    const stateful: pulumi.CustomResourceOptions = args.protect ? { protect: true, retainOnDelete: true } : {};
    // Field by field: lifting the whole object would make host and user secret with the password.
    const adminHost = pulumi.output(admin.host);
    const adminPort = pulumi.output(admin.port);
    const suffix = pulumi.output(args.loginSuffix ?? "");
    const login = (role: pulumi.Input<string>) => pulumi.all([role, suffix]).apply(([r, s]) => (s ? `${r}.${s}` : r));

    const [providerArgs, providerOpts] = applyTransform<ProviderArgs>(
      transform.provider,
      {
        host: adminHost,
        port: adminPort,
        username: admin.username,
        password: pulumi.secret(admin.password),
        database: admin.database ?? "postgres",
        superuser: admin.superuser ?? false,
        sslmode,
      },
      { parent: this, dependsOn: after },
    );
    const provider = new postgresql.Provider(`${name}-admin`, providerArgs, providerOpts);
    // The SDK flattens nested arrays, Outputs and Promises in dependsOn.
    const waitFor = (...extra: pulumi.Resource[]) => [after, ...extra].filter((d) => d !== undefined) as pulumi.Input<pulumi.Resource>[];
    const pg = (o: pulumi.CustomResourceOptions = {}, extra: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({
      parent: this,
      provider,
      ...o,
      dependsOn: waitFor(...extra),
    });

    const password = (suffix: string) => {
      // Letters and digits only: safe in URLs, shells and .env files; 32 of them are ~190 bits.
      const [a, o] = applyTransform<RandomPasswordArgs>(
        transform.password,
        { length: 32, special: false, upper: true, lower: true, numeric: true },
        { parent: this, additionalSecretOutputs: ["result"] },
      );
      return new random.RandomPassword(`${name}-${suffix}-password`, a, o);
    };
    const role = (suffix: string, roleNameValue: string, pw: RandomPassword) => {
      const [a, o] = applyTransform<RoleArgs>(
        transform.role,
        { name: roleNameValue, login: true, password: pw.result },
        pg({ ...stateful, additionalSecretOutputs: ["password"] }),
      );
      return new postgresql.Role(`${name}-${suffix}`, a, o);
    };
    const grant = (resourceName: string, a0: GrantArgs, deps: pulumi.Resource[], via: PostgresqlProvider = provider) => {
      // deleteBeforeReplace: a replaced grant must be revoked before it is granted again, or the
      // revoke of the old one removes the new privileges (pulumi-postgresql #233).
      const [a, o] = applyTransform<GrantArgs>(
        transform.grant,
        a0,
        pg({ deleteBeforeReplace: true, provider: via }, deps),
      );
      return new postgresql.Grant(resourceName, a, o);
    };

    const ownerPassword = password("owner");
    const ownerRole = role("owner", roleName, ownerPassword);

    // Consumer roles come first. The owner is a member of each (it gains nothing: it owns the
    // tables), so whoever acts as the owner may end their sessions. The provider's DROP DATABASE
    // takes on the owner's role, blocks new connections, then ends the open ones; without this a
    // non-superuser admin may not end a consumer's session, and the drop stops half-way with the
    // database refusing every connection (docs/architecture.md, "Destroying a shared database").
    // The database waits for these memberships, so it is dropped before they are revoked.
    const consumerLogins = consumerRoles.map(({ consumer, role: consumerRoleName }) => {
      const pw = password(consumer);
      const r = role(consumer, consumerRoleName, pw);
      const [a, o] = applyTransform<GrantRoleArgs>(
        transform.grantRole,
        { role: ownerRole.name, grantRole: r.name },
        pg({}, [ownerRole, r]),
      );
      const membership = new postgresql.GrantRole(`${name}-${consumer}-in-owner`, a, o);
      return { consumer, pw, r, membership };
    });

    const [dbArgs, dbOpts] = applyTransform<PgDatabaseArgs>(
      transform.database,
      { name: roleName, owner: ownerRole.name },
      pg(stateful, consumerLogins.map((c) => c.membership)),
    );
    const db = new postgresql.Database(name, dbArgs, dbOpts);

    // Database-level GRANT and REVOKE take effect only from the owner. A non-superuser admin does
    // not hold the owner's privileges, and the provider takes on the owner's role below the
    // database level only (cyrilgdn/terraform-provider-postgresql#133): run as the admin, these
    // grants would change nothing and show a diff on every run. So they run on a provider signed
    // in as the owner. (Why not GrantRole of the owner to the admin: docs/architecture.md.)
    const [ownerProviderArgs, ownerProviderOpts] = applyTransform<ProviderArgs>(
      transform.ownerProvider,
      {
        host: adminHost,
        port: adminPort,
        username: login(ownerRole.name),
        password: pulumi.secret(ownerPassword.result),
        database: db.name,
        superuser: false,
        sslmode,
      },
      { parent: this, dependsOn: waitFor(db) },
    );
    const asOwner = new postgresql.Provider(`${name}-as-owner`, ownerProviderArgs, ownerProviderOpts);

    // Only the owner and the roles granted below may connect, not every role on the server.
    // Database-level grants run one after another: concurrent GRANTs on one database fail with
    // "tuple concurrently updated".
    let lastDatabaseGrant: pulumi.Resource = grant(
      `${name}-revoke-public`,
      { database: db.name, role: "public", objectType: "database", privileges: [] },
      [],
      asOwner,
    );

    const endpoint = { host: adminHost, port: adminPort, database: db.name };
    const consumerEndpoints: Record<string, pulumi.Output<ConsumerEndpoint>> = {};
    const consumerUrls: Record<string, pulumi.Output<string>> = {};
    if (consumerRoles.length > 0) {
      // The admin's provider connects to the new database to grant table privileges (there the
      // provider itself takes on the owner's role); a non-superuser admin lost CONNECT with PUBLIC's.
      lastDatabaseGrant = grant(
        `${name}-admin-connect`,
        { database: db.name, role: admin.username, objectType: "database", privileges: ["CONNECT"] },
        [lastDatabaseGrant],
        asOwner,
      );
    }
    for (const { consumer, pw, r } of consumerLogins) {
      lastDatabaseGrant = grant(
        `${name}-${consumer}-connect`,
        { database: db.name, role: r.name, objectType: "database", privileges: ["CONNECT"] },
        [lastDatabaseGrant],
        asOwner,
      );
      const onDb = [lastDatabaseGrant];
      grant(`${name}-${consumer}-schema`, { database: db.name, role: r.name, schema: "public", objectType: "schema", privileges: ["USAGE"] }, onDb);
      grant(`${name}-${consumer}-tables`, { database: db.name, role: r.name, schema: "public", objectType: "table", privileges: [...TABLE_PRIVILEGES] }, onDb);
      grant(
        `${name}-${consumer}-sequences`,
        { database: db.name, role: r.name, schema: "public", objectType: "sequence", privileges: [...SEQUENCE_PRIVILEGES] },
        onDb,
      );
      // Tables the owner creates later (migrations) are shared too.
      for (const [objectType, privileges] of [
        ["table", TABLE_PRIVILEGES],
        ["sequence", SEQUENCE_PRIVILEGES],
      ] as const) {
        const [a, o] = applyTransform<DefaultPrivilegesArgs>(
          transform.defaultPrivileges,
          { database: db.name, owner: ownerRole.name, role: r.name, schema: "public", objectType, privileges: [...privileges] },
          pg({}, onDb),
        );
        new postgresql.DefaultPrivileges(`${name}-${consumer}-default-${objectType}s`, a, o);
      }
      consumerEndpoints[consumer] = pulumi.output({ ...endpoint, user: login(r.name) });
      consumerUrls[consumer] = pulumi.secret(
        pulumi.all([adminHost, adminPort, db.name, login(r.name), pw.result]).apply(([host, port, database, user, pass]) =>
          postgresUrl({ host, port, database, user, password: pass, sslmode }),
        ),
      );
    }

    this.host = adminHost;
    this.port = adminPort;
    this.database = db.name;
    this.user = ownerRole.name;
    this.connectionString = pulumi.secret(
      pulumi
        .all([adminHost, adminPort, db.name, login(ownerRole.name), ownerPassword.result])
        .apply(([host, port, database, user, pass]) => postgresUrl({ host, port, database, user, password: pass, sslmode })),
    );
    this.consumers = pulumi.output(consumerEndpoints);
    this.consumerConnectionStrings = pulumi.secret(pulumi.output(consumerUrls));

    this.registerOutputs({
      host: this.host,
      port: this.port,
      database: this.database,
      user: this.user,
      connectionString: this.connectionString,
      consumers: this.consumers,
      consumerConnectionStrings: this.consumerConnectionStrings,
    });
  }
}
