/**
 * The SQL the postgresql provider runs for the resources the Database component registers,
 * replayed on a real server, since the provider binary cannot run here. It follows
 * cyrilgdn/terraform-provider-postgresql v1.26.0 (what @pulumi/postgresql 3.18 bridges); each
 * function names the provider code it replays, in postgresql/*.go, so a reader can check it.
 * Statements, their order, their connection (which user, which database) and the catalog
 * queries that read state back are the provider's; error handling and logging are not.
 */
import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import type { Database } from "../../components/database";
import type { ManifestResource } from "../../synth/manifest";
import { synthesize } from "../../synth/run";

export interface ProviderConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  /** The provider's `database`: where it connects unless a resource names another. */
  database: string;
}

type Sql = Pick<Client, "query">;

/** pq.QuoteIdentifier */
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** helpers.go pqQuoteLiteral (the quotes around it are the caller's) */
const literal = (s: string) => s.replace(/\\/g, "\\\\").replace(/'/g, "''");
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

const open = new Set<Client>();

/** Ends every connection a replay keeps open; call it before stopping the server. */
export async function closeConnections(): Promise<void> {
  await Promise.all([...open].map((c) => c.end()));
  open.clear();
}

/** One provider instance (config.go): a user and password, and connections per database. */
export class ReplayProvider {
  /** WARNING and NOTICE lines the server sent, e.g. "no privileges could be revoked for …". */
  readonly notices: string[] = [];
  // The provider opens a connection per transaction (MaxIdleConns 0); reusing idle ones changes
  // nothing the test looks at (same user, same database) and saves a login each.
  private readonly idle = new Map<string, Client[]>();
  constructor(
    readonly name: string,
    readonly config: ProviderConfig,
  ) {}

  /** config.go Client.Connect on `database` (startTransaction's NewClient for another one). */
  async session<T>(database: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const pool = this.idle.get(database) ?? [];
    this.idle.set(database, pool);
    let c = pool.pop();
    if (!c) {
      c = new Client({ host: this.config.host, port: this.config.port, user: this.config.username, password: this.config.password, database });
      c.on("notice", (n) => void this.notices.push(`${n.severity}: ${n.message}`));
      await c.connect();
      open.add(c);
    }
    try {
      return await fn(c);
    } finally {
      pool.push(c);
    }
  }

  /** Ends idle connections to `database`: the provider keeps none (MaxIdleConns 0). */
  async closeIdle(database: string): Promise<void> {
    const pool = this.idle.get(database) ?? [];
    this.idle.delete(database);
    await Promise.all(pool.map((c) => (open.delete(c), c.end())));
  }

  /** helpers.go startTransaction + deferredRollback */
  transaction<T>(database: string, fn: (txn: Client) => Promise<T>): Promise<T> {
    return this.session(database, async (txn) => {
      await txn.query("BEGIN");
      try {
        const result = await fn(txn);
        await txn.query("COMMIT");
        return result;
      } catch (err) {
        await txn.query("ROLLBACK");
        throw err;
      }
    });
  }
}

// --- helpers.go -----------------------------------------------------------------------------

async function exists(c: Sql, text: string, params: unknown[]): Promise<boolean> {
  return (await c.query(text, params)).rowCount! > 0;
}

/** helpers.go pgLockRole */
async function pgLockRole(txn: Sql, role: string) {
  await txn.query("SET statement_timeout = 0");
  await txn.query("SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_roles WHERE rolname = $1", [role]);
  await txn.query("SELECT pg_advisory_xact_lock(member::bigint) FROM pg_auth_members JOIN pg_roles ON roleid = pg_roles.oid WHERE rolname = $1", [role]);
}

/** helpers.go pgLockDatabase */
async function pgLockDatabase(txn: Sql, database: string) {
  await txn.query("SET statement_timeout = 0");
  await txn.query("SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_database WHERE datname = $1", [database]);
}

/** helpers.go isMemberOfRole: on PostgreSQL 16+ only a membership with SET counts. */
async function isMemberOfRole(c: Sql, role: string, member: string): Promise<boolean> {
  const setOption = await exists(c, "SELECT 1 FROM information_schema.columns WHERE table_name='pg_auth_members' AND column_name = 'set_option'", []);
  const query = "SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = $1 AND pg_get_userbyid(member) = $2" + (setOption ? " AND set_option" : "");
  return exists(c, query, [role, member]);
}

/** helpers.go grantRoleMembership */
async function grantRoleMembership(c: Sql, role: string, member: string): Promise<boolean> {
  if (member === role || (await isMemberOfRole(c, role, member))) return false;
  await c.query(`GRANT ${ident(role)} TO ${ident(member)}`);
  return true;
}

/** helpers.go revokeRoleMembership */
async function revokeRoleMembership(c: Sql, role: string, member: string): Promise<boolean> {
  if (member === role || !(await isMemberOfRole(c, role, member))) return false;
  await c.query(`REVOKE ${ident(role)} FROM ${ident(member)}`);
  return true;
}

async function isSuperuser(c: Sql, role: string): Promise<boolean> {
  return (await c.query("SELECT rolsuper FROM pg_roles WHERE rolname = $1", [role])).rows[0].rolsuper;
}

/** helpers.go withRolesGranted: the connecting user becomes a member of `roles` for `fn` only. */
async function withRolesGranted(txn: Sql, roles: string[], fn: () => Promise<void>) {
  if (roles.length === 0) return fn();
  const currentUser: string = (await txn.query("SELECT CURRENT_USER")).rows[0].current_user;
  if (await isSuperuser(txn, currentUser)) return fn();
  const granted: string[] = [];
  const revoked: string[] = [];
  for (const role of roles) {
    if (await isSuperuser(txn, role)) continue;
    if (await revokeRoleMembership(txn, currentUser, role)) revoked.push(role);
    if (await grantRoleMembership(txn, role, currentUser)) granted.push(role);
  }
  await fn();
  for (const role of granted) await revokeRoleMembership(txn, role, currentUser);
  for (const role of revoked) {
    if (await exists(txn, "SELECT 1 FROM pg_roles WHERE rolname=$1", [role])) await grantRoleMembership(txn, currentUser, role);
  }
}

/** helpers.go getRoleOID */
async function getRoleOID(c: Sql, role: string): Promise<number> {
  if (role === "public") return 0;
  return (await c.query("SELECT oid FROM pg_roles WHERE rolname = $1", [role])).rows[0].oid;
}

// --- resource_postgresql_role.go ------------------------------------------------------------

export interface RoleArgs {
  name: string;
  login?: boolean;
  password?: string;
}

/** resourcePostgreSQLRoleCreate with the schema's defaults (inherit, no limit, valid forever). */
export function createRole(p: ReplayProvider, r: RoleArgs): Promise<void> {
  return p.transaction(p.config.database, async (txn) => {
    const opts = [
      ...(r.password ? [`ENCRYPTED PASSWORD '${literal(r.password)}'`] : []),
      "VALID UNTIL 'infinity'",
      "CONNECTION LIMIT -1",
      "NOSUPERUSER",
      "NOCREATEDB",
      "NOCREATEROLE",
      "INHERIT",
      r.login ? "LOGIN" : "NOLOGIN",
      "NOBYPASSRLS",
      "NOREPLICATION",
    ];
    await txn.query(`CREATE ROLE ${ident(r.name)} WITH ${opts.join(" ")}`);
    // alterSearchPath runs even without search_path set.
    await txn.query(`ALTER ROLE ${ident(r.name)} SET search_path TO DEFAULT`);
  });
}

// --- resource_postgresql_database.go --------------------------------------------------------

/**
 * What the provider's database create and delete share: under the admin's role lock, the admin is a
 * member of the owner (granted just for this, when it was not already) while `body` runs.
 */
function asMemberOfOwner(p: ReplayProvider, owner: string, body: (db: Sql) => Promise<void>): Promise<void> {
  const currentUser = p.config.username;
  return p.session(p.config.database, async (lockTxn) => {
    await lockTxn.query("BEGIN");
    try {
      await pgLockRole(lockTxn, currentUser);
      await p.session(p.config.database, async (db) => {
        const granted = await grantRoleMembership(db, owner, currentUser);
        try {
          await body(db);
        } finally {
          if (granted) await revokeRoleMembership(db, owner, currentUser);
        }
      });
    } finally {
      await lockTxn.query("ROLLBACK");
    }
  });
}

/**
 * createDatabase: the admin becomes a member of the owner just for CREATE DATABASE … OWNER,
 * which a non-superuser may only name a role it belongs to.
 */
export function createDatabase(p: ReplayProvider, d: { name: string; owner: string }): Promise<void> {
  return asMemberOfOwner(p, d.owner, async (db) => {
    await db.query(`CREATE DATABASE ${ident(d.name)} OWNER ${ident(d.owner)} TEMPLATE template0 ENCODING 'UTF8' ALLOW_CONNECTIONS true CONNECTION LIMIT -1 IS_TEMPLATE false`);
  });
}

/**
 * resourcePostgreSQLDatabaseDelete (v1.26.0): as a member of the owner (granted just for this),
 * terminateBConnections commits `ALLOW_CONNECTIONS false`, then ends every other session on the
 * database, then DROP DATABASE … WITH (FORCE) (13+). Each statement commits on its own, so a
 * failure after the first leaves a database that refuses every connection.
 */
export function dropDatabase(p: ReplayProvider, d: { name: string; owner: string }): Promise<void> {
  return asMemberOfOwner(p, d.owner, async (db) => {
    await db.query(`ALTER DATABASE ${ident(d.name)} ALLOW_CONNECTIONS false`);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${d.name}' AND pid <> pg_backend_pid()`);
    await db.query(`DROP DATABASE ${ident(d.name)} WITH ( FORCE )`);
  });
}

/** resourcePostgreSQLDatabaseUpdate, setDBAllowConns: what `up --refresh` runs when it reads ALLOW_CONNECTIONS false. */
export function setAllowConnections(p: ReplayProvider, name: string, allow: boolean): Promise<void> {
  return p.session(p.config.database, async (db) => void (await db.query(`ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS ${allow}`)));
}

// --- resource_postgresql_grant_role.go ------------------------------------------------------

/** Notices but a GrantRole's own revoke before its first grant, which has nothing to revoke yet. */
export const effectiveNotices = (notices: string[]): string[] =>
  notices.filter((n) => !/^WARNING: role "[^"]+" (is not a member of role "[^"]+"|has not been granted membership in role "[^"]+" by role "[^"]+")$/.test(n));

/** resourcePostgreSQLGrantRoleCreate: revoke, then grant, in one transaction on the provider's database. */
export function createGrantRole(p: ReplayProvider, g: { role: string; grantRole: string }): Promise<void> {
  return p.transaction(p.config.database, async (txn) => {
    await txn.query(`REVOKE ${ident(g.grantRole)} FROM ${ident(g.role)}`);
    await txn.query(`GRANT ${ident(g.grantRole)} TO ${ident(g.role)}`);
  });
}

/** resourcePostgreSQLGrantRoleDelete */
export function deleteGrantRole(p: ReplayProvider, g: { role: string; grantRole: string }): Promise<void> {
  return p.transaction(p.config.database, async (txn) => void (await txn.query(`REVOKE ${ident(g.grantRole)} FROM ${ident(g.role)}`)));
}

// --- resource_postgresql_grant.go -----------------------------------------------------------

export interface GrantArgs {
  database: string;
  role: string;
  objectType: "database" | "schema" | "table" | "sequence";
  privileges: string[];
  schema?: string;
}

/** createGrantQuery */
function grantQuery(g: GrantArgs): string {
  const to = ident(g.role);
  const privileges = g.privileges.join(",");
  if (g.objectType === "database") return `GRANT ${privileges} ON DATABASE ${ident(g.database)} TO ${to}`;
  if (g.objectType === "schema") return `GRANT ${privileges} ON SCHEMA ${ident(g.schema!)} TO ${to}`;
  return `GRANT ${privileges} ON ALL ${g.objectType.toUpperCase()}S IN SCHEMA ${ident(g.schema!)} TO ${to}`;
}

/** createRevokeQuery */
function revokeQuery(g: GrantArgs): string {
  const from = ident(g.role);
  if (g.objectType === "database") return `REVOKE ALL PRIVILEGES ON DATABASE ${ident(g.database)} FROM ${from}`;
  if (g.objectType === "schema") return `REVOKE ALL PRIVILEGES ON SCHEMA ${ident(g.schema!)} FROM ${from}`;
  return `REVOKE ALL PRIVILEGES ON ALL ${g.objectType.toUpperCase()}S IN SCHEMA ${ident(g.schema!)} FROM ${from}`;
}

/**
 * getRolesToGrant: the owners of the schema and of its tables, whose role the provider takes on;
 * none for a database (upstream #133), which is why a non-superuser admin's database-level
 * grants do nothing.
 */
async function getRolesToGrant(txn: Sql, g: GrantArgs): Promise<string[]> {
  if (g.objectType === "database") return [];
  const owners: string[] =
    g.objectType === "schema" ? [] : (await txn.query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1", [g.schema])).rows.map((r) => r.tableowner);
  const schemaOwner: string = (
    await txn.query("SELECT rolname FROM pg_namespace JOIN pg_roles ON nspowner = pg_roles.oid WHERE nspname = $1", [g.schema])
  ).rows[0].rolname;
  if (!owners.includes(schemaOwner)) owners.push(schemaOwner);
  // resolveOwners: the public schema belongs to pg_database_owner since PostgreSQL 15.
  const resolved: string[] = [];
  for (const o of owners) {
    resolved.push(
      o === "pg_database_owner"
        ? (await txn.query("SELECT rolname FROM pg_database JOIN pg_roles ON datdba = pg_roles.oid WHERE datname = current_database()")).rows[0].rolname
        : o,
    );
  }
  return resolved;
}

/** resourcePostgreSQLGrantCreateOrUpdate (create): revoke, then grant, then read back into state. */
export async function createGrant(p: ReplayProvider, g: GrantArgs): Promise<string[]> {
  await p.transaction(g.database, async (txn) => {
    await pgLockRole(txn, g.role);
    if (g.objectType === "database") await pgLockDatabase(txn, g.database);
    await withRolesGranted(txn, await getRolesToGrant(txn, g), async () => {
      await txn.query(revokeQuery(g));
      if (g.privileges.length > 0) await txn.query(grantQuery(g));
    });
  });
  return p.transaction(g.database, (txn) => readRolePrivileges(txn, g));
}

/** resourcePostgreSQLGrantDelete */
export function deleteGrant(p: ReplayProvider, g: GrantArgs): Promise<void> {
  return p.transaction(g.database, async (txn) => {
    await pgLockRole(txn, g.role);
    if (g.objectType === "database") await pgLockDatabase(txn, g.database);
    await withRolesGranted(txn, await getRolesToGrant(txn, g), async () => void (await txn.query(revokeQuery(g))));
  });
}

/**
 * resourcePostgreSQLGrantRead (what refresh and drift detection run): the privileges the provider
 * puts in state. Anything but `g.privileges` is a diff on the next preview.
 */
export async function readGrant(p: ReplayProvider, g: GrantArgs): Promise<string[] | "gone"> {
  // checkRoleDBSchemaExists
  if (!(await p.session(p.config.database, (db) => exists(db, "SELECT datname FROM pg_database WHERE datname=$1", [g.database])))) return "gone";
  return p.transaction(g.database, (txn) => readRolePrivileges(txn, g));
}

/** readRolePrivileges, with readDatabaseRolePrivileges and readSchemaRolePrivileges. */
async function readRolePrivileges(txn: Sql, g: GrantArgs): Promise<string[]> {
  const roleOID = await getRoleOID(txn, g.role);
  const set = (rows: (string[] | null)[]) => rows[0] ?? [];
  if (g.objectType === "database") {
    const rows = await txn.query(
      `SELECT array_agg(privilege_type) AS p FROM (SELECT (aclexplode(datacl)).* FROM pg_database WHERE datname=$1) as privileges WHERE grantee = $2`,
      [g.database, roleOID],
    );
    return set(rows.rows.map((r) => r.p));
  }
  if (g.objectType === "schema") {
    const rows = await txn.query(
      `SELECT array_agg(privilege_type) AS p FROM (SELECT (aclexplode(nspacl)).* FROM pg_namespace WHERE nspname=$1) as privileges WHERE grantee = $2`,
      [g.schema, roleOID],
    );
    return set(rows.rows.map((r) => r.p));
  }
  // Tables and sequences: every object of the kind in the schema; the first that differs wins.
  const rows = await txn.query(
    `SELECT pg_class.relname, array_remove(array_agg(privilege_type), NULL) AS p
FROM pg_class
JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace
LEFT JOIN (
    SELECT acls.* FROM (
        SELECT relname, relnamespace, relkind, (aclexplode(relacl)).* FROM pg_class c
    ) as acls
    WHERE grantee=$1
) privs
USING (relname, relnamespace, relkind)
WHERE nspname = $2 AND relkind = $3
GROUP BY pg_class.relname`,
    [roleOID, g.schema, g.objectType === "table" ? "r" : "S"],
  );
  const differing = rows.rows.find((r) => !sameSet(r.p, g.privileges));
  return differing ? differing.p : g.privileges;
}

// --- resource_postgresql_default_privileges.go ----------------------------------------------

export interface DefaultPrivilegesArgs {
  database: string;
  owner: string;
  role: string;
  schema: string;
  objectType: "table" | "sequence";
  privileges: string[];
}

/** resourcePostgreSQLDefaultPrivilegesCreate: as the owner's member, revoke then grant, then read. */
export async function createDefaultPrivileges(p: ReplayProvider, d: DefaultPrivilegesArgs): Promise<string[]> {
  const on = `${d.objectType.toUpperCase()}S`;
  await p.transaction(d.database, async (txn) => {
    await pgLockRole(txn, d.owner);
    await withRolesGranted(txn, [d.owner], async () => {
      await txn.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(d.owner)} IN SCHEMA ${ident(d.schema)} REVOKE ALL ON ${on} FROM ${ident(d.role)}`);
      await txn.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(d.owner)} IN SCHEMA ${ident(d.schema)} GRANT ${d.privileges.join(",")} ON ${on} TO ${ident(d.role)}`);
    });
  });
  return readDefaultPrivileges(p, d);
}

/** resourcePostgreSQLDefaultPrivilegesDelete */
export function deleteDefaultPrivileges(p: ReplayProvider, d: DefaultPrivilegesArgs): Promise<void> {
  return p.transaction(d.database, async (txn) => {
    await pgLockRole(txn, d.owner);
    await withRolesGranted(txn, [d.owner], async () => {
      await txn.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(d.owner)} IN SCHEMA ${ident(d.schema)} REVOKE ALL ON ${d.objectType.toUpperCase()}S FROM ${ident(d.role)}`,
      );
    });
  });
}

/** readRoleDefaultPrivileges */
export function readDefaultPrivileges(p: ReplayProvider, d: DefaultPrivilegesArgs): Promise<string[]> {
  return p.transaction(d.database, async (txn) => {
    await pgLockRole(txn, d.owner);
    const rows = await txn.query(
      `SELECT array_agg(prtype) AS p FROM (
		SELECT defaclnamespace, (aclexplode(defaclacl)).* FROM pg_default_acl
		WHERE defaclobjtype = $3
	) AS t (namespace, grantor_oid, grantee_oid, prtype, grantable)
	JOIN pg_namespace ON pg_namespace.oid = namespace
	WHERE grantee_oid = $1 AND nspname = $2 AND pg_get_userbyid(grantor_oid) = $4`,
      [await getRoleOID(txn, d.role), d.schema, d.objectType === "table" ? "r" : "S", d.owner],
    );
    return rows.rows[0].p ?? [];
  });
}

// --- a plan: the resources the component registered, in an order the engine could run them ---

/** A registered resource with the provider it names (`provider` option) and its secrets revealed. */
export interface PlannedResource extends ManifestResource {
  /** URN of the explicit provider the resource uses. */
  provider?: string;
}

/** What a Database registered under mocks: its resources, with their providers, and its connection strings. */
export interface DatabasePlan {
  resources: PlannedResource[];
  /** Owner connection string and each consumer's, as the component exports them. */
  owner: string;
  consumers: Record<string, string>;
}

/** Registers the Database `build` makes, under mocks, and records each resource with the provider it names. */
export async function planDatabase(stack: string, build: () => Database): Promise<DatabasePlan> {
  const providerOf = new Map<string, string>();
  let db!: Database;
  const m = await synthesize({
    project: "webstack",
    stack,
    organization: "acme",
    config: {},
    revealSecrets: true,
    program: () => {
      const monitor = pulumi.runtime.getMonitor() as any;
      const register = monitor.registerResource.bind(monitor);
      monitor.registerResource = (req: any, cb: unknown) => {
        const ref: string = req.getProvider();
        if (ref) providerOf.set(`${req.getType()}::${req.getName()}`, ref.slice(0, ref.lastIndexOf("::")));
        return register(req, cb);
      };
      db = build();
      return {};
    },
  });
  const settle = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply((v) => (r(v), v)));
  return {
    resources: m.resources.map((r) => ({ ...r, provider: providerOf.get(`${r.type}::${r.name}`) })),
    owner: await settle(db.connectionString),
    consumers: await settle(db.consumerConnectionStrings),
  };
}

/** The engine's order: a resource after its dependencies and its provider. */
export function engineOrder(resources: PlannedResource[]): PlannedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const done = new Set<string>();
  const order: PlannedResource[] = [];
  const visit = (r: PlannedResource, path: string[]) => {
    if (done.has(r.urn)) return;
    if (path.includes(r.urn)) throw new Error(`dependency cycle through ${r.name}`);
    for (const d of [...r.dependsOn, ...(r.provider ? [r.provider] : [])]) {
      const dep = byUrn.get(d);
      if (dep) visit(dep, [...path, r.urn]);
    }
    done.add(r.urn);
    order.push(r);
  };
  for (const r of resources) visit(r, []);
  return order;
}

const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const GRANT = "postgresql:index/grant:Grant";
const GRANT_ROLE = "postgresql:index/grantRole:GrantRole";
const DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
const PROVIDER = "pulumi:providers:postgresql";

/** A recorded input with its secret revealed (`{"[secret]": value}` → value). */
export function plain<T = string>(v: unknown): T {
  return (v && typeof v === "object" && "[secret]" in v ? (v as Record<string, unknown>)["[secret]"] : v) as T;
}

export const asGrant = (r: ManifestResource): GrantArgs => r.inputs as unknown as GrantArgs;
export const asDefaultPrivileges = (r: ManifestResource): DefaultPrivilegesArgs => r.inputs as unknown as DefaultPrivilegesArgs;

export interface Deployment {
  /** Provider URN → the provider that ran its resources. */
  providers: Map<string, ReplayProvider>;
  /** Grant or DefaultPrivileges URN → the privileges its create read back into state. */
  state: Map<string, string[]>;
  /** The provider each resource ran on. */
  providerOf(r: PlannedResource): ReplayProvider;
}

/**
 * Runs a plan's PostgreSQL resources in the engine's order, each through the provider it names.
 * `host` and `port` come from the provider's inputs. Other types (passwords, components) need no SQL.
 */
export async function deploy(plan: PlannedResource[]): Promise<Deployment> {
  const providers = new Map<string, ReplayProvider>();
  const state = new Map<string, string[]>();
  const providerOf = (r: PlannedResource) => {
    const p = r.provider && providers.get(r.provider);
    if (!p) throw new Error(`${r.name}: no explicit postgresql provider (${r.provider ?? "default"})`);
    return p;
  };
  for (const r of engineOrder(plan)) {
    const i = r.inputs;
    if (r.type === PROVIDER) {
      providers.set(
        r.urn,
        new ReplayProvider(r.name, {
          host: plain(i.host),
          port: Number(plain(i.port)),
          username: plain(i.username),
          password: plain(i.password),
          database: plain(i.database),
        }),
      );
    } else if (r.type === ROLE) await createRole(providerOf(r), { name: plain(i.name), login: plain<boolean>(i.login), password: plain(i.password) });
    else if (r.type === DATABASE) await createDatabase(providerOf(r), { name: plain(i.name), owner: plain(i.owner) });
    else if (r.type === GRANT_ROLE) await createGrantRole(providerOf(r), { role: plain(i.role), grantRole: plain(i.grantRole) });
    else if (r.type === GRANT) state.set(r.urn, await createGrant(providerOf(r), asGrant(r)));
    else if (r.type === DEFAULT_PRIVILEGES) state.set(r.urn, await createDefaultPrivileges(providerOf(r), asDefaultPrivileges(r)));
    else if (r.type.startsWith("postgresql:")) throw new Error(`no replay for ${r.type} (${r.name}): add the provider's statements here`);
  }
  return { providers, state, providerOf };
}

/**
 * `pulumi destroy` of a deployed plan as far as its database: every resource that depends on the
 * database is deleted first (reverse engine order), then the database itself. The roles and the
 * owner's memberships, deleted after it, do not matter to whether the drop succeeds.
 */
export async function destroyDatabase(plan: PlannedResource[], d: Deployment): Promise<void> {
  const database = plan.find((r) => r.type === DATABASE);
  if (!database) throw new Error("the plan has no database");
  const dependents = new Set<string>([database.urn]);
  const order = engineOrder(plan);
  for (const r of order) if ([...r.dependsOn, ...(r.provider ? [r.provider] : [])].some((x) => dependents.has(x))) dependents.add(r.urn);
  for (const r of [...order].reverse()) {
    if (!dependents.has(r.urn) || r.urn === database.urn) continue;
    if (r.type === GRANT) await deleteGrant(d.providerOf(r), asGrant(r));
    else if (r.type === DEFAULT_PRIVILEGES) await deleteDefaultPrivileges(d.providerOf(r), asDefaultPrivileges(r));
    else if (r.type.startsWith("postgresql:") && r.type !== PROVIDER) throw new Error(`no delete replay for ${r.type} (${r.name})`);
  }
  const name = plain(database.inputs.name);
  for (const p of d.providers.values()) await p.closeIdle(name);
  await dropDatabase(d.providerOf(database), { name, owner: plain(database.inputs.owner) });
}
