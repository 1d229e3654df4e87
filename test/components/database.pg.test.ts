// Against a real PostgreSQL, administered the way Render's is: by a LOGIN CREATEROLE CREATEDB
// role that is not a superuser. The Database component's plan (the resources it registers, each
// with its provider) is replayed with the SQL the postgresql provider would run for it
// (postgres-provider-replay.ts), then the test checks who can connect and do what, and that the
// provider would read every privilege back as planned (no diff on the next preview or drift run).
import { hostilePassword, postgresBin, RENDER_PG_MAJORS, startPostgres, URL_RESERVED, type Postgres } from "../servers";
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../components/connection-string";
import { Database, pgIdentifier } from "../../components/database";
import {
  effectiveNotices,
  planDatabase,
  type DatabasePlan,
  asDefaultPrivileges,
  closeConnections,
  asGrant,
  createDatabase,
  createGrant,
  createRole,
  deleteGrant,
  deploy,
  destroyDatabase,
  type PlannedResource,
  setAllowConnections,
  readDefaultPrivileges,
  readGrant,
  ReplayProvider,
} from "./postgres-provider-replay";

const RESERVED = URL_RESERVED;

let server: Postgres | undefined;
let port = 0;

// The Render Postgres as Render hands it over: an admin login that is not a superuser, and the
// database Render created for it (its name with Render's random suffix).
const ADMIN = "ott_render_admin";
const ADMIN_PASSWORD = hostilePassword();
const RENDER_DB = "ott_render_db_x1y2";
const OUTSIDER = "someone_else";
const OUTSIDER_PASSWORD = hostilePassword();
const GRANT = "postgresql:index/grant:Grant";
const DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";

let renderAdmin: ReplayProvider | undefined;
const admin = () => (renderAdmin ??= new ReplayProvider("render-admin", { host: "127.0.0.1", port, username: ADMIN, password: ADMIN_PASSWORD, database: RENDER_DB }));

async function sql(client: Client, text: string): Promise<unknown[]> {
  return (await client.query(text)).rows;
}

async function as(url: string, fn: (c: Client) => Promise<void>): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await fn(c);
  } finally {
    await c.end();
  }
}

/** A connection string with another login or database, e.g. an outsider's credentials on it. */
function retarget(url: string, change: { user?: string; password?: string; database?: string }): string {
  const u = new URL(url);
  const d = decodeURIComponent;
  return postgresUrl({
    host: u.hostname,
    port: u.port,
    user: change.user ?? d(u.username),
    password: change.password ?? d(u.password),
    database: change.database ?? d(u.pathname.slice(1)),
    sslmode: "disable",
  });
}

type Plan = DatabasePlan;

/** Registers a Database on this server under mocks and records each resource with its provider. */
const plan = (name: string, stack: string, consumers: string[]): Promise<Plan> =>
  planDatabase(stack, () =>
    new Database(name, {
      app: "ott",
      stack,
      consumers,
      sslmode: "disable",
      adminConnection: { host: "127.0.0.1", port, username: ADMIN, password: pulumi.secret(ADMIN_PASSWORD), database: RENDER_DB },
    }),
  );

const ofType = (p: Plan, type: string) => p.resources.filter((r) => r.type === type);
const sorted = (xs: readonly string[]) => [...xs].sort();

/** Every login role on the server that may connect to `database`. */
async function whoCanConnect(database: string): Promise<string[]> {
  return admin().session(RENDER_DB, async (c) =>
    (
      await c.query("SELECT rolname FROM pg_roles WHERE rolcanlogin AND has_database_privilege(rolname, $1, 'CONNECT') ORDER BY rolname", [database])
    ).rows.map((r) => r.rolname),
  );
}

/** What the provider's refresh reads back for every Grant and DefaultPrivileges, by resource name. */
async function readBack(p: Plan, providerFor: (r: PlannedResource) => ReplayProvider): Promise<Record<string, string[] | "gone">> {
  const out: Record<string, string[] | "gone"> = {};
  for (const r of ofType(p, GRANT)) out[r.name] = sortedOr(await readGrant(providerFor(r), asGrant(r)));
  for (const r of ofType(p, DEFAULT_PRIVILEGES)) out[r.name] = sorted(await readDefaultPrivileges(providerFor(r), asDefaultPrivileges(r)));
  return out;
}
const sortedOr = (v: string[] | "gone") => (v === "gone" ? v : sorted(v));

/** What the plan asks for, in readBack's shape. */
function desired(p: Plan): Record<string, string[]> {
  return Object.fromEntries([...ofType(p, GRANT), ...ofType(p, DEFAULT_PRIVILEGES)].map((r) => [r.name, sorted(r.inputs.privileges as string[])]));
}

// On each major Render runs, one server per major, all started at once.
const started = new Map<number, Postgres>();
beforeAll(async () => {
  // Minimal WAL: CREATE DATABASE logs every page of the template otherwise.
  for (const p of await Promise.all(RENDER_PG_MAJORS.map((m) => startPostgres(m, { options: "-c wal_level=minimal -c max_wal_senders=0" })))) started.set(p.major, p);
}, 60_000);
afterAll(async () => {
  await Promise.all([...started.values()].map((p) => p.stop()));
});

describe.each([...RENDER_PG_MAJORS])("PostgreSQL %i", (major) => {
beforeAll(async () => {
  server = started.get(major)!;
  port = server.port;
  renderAdmin = undefined;
  // The platform's part, the only one as a superuser: the admin role and its database.
  const platform = await server.admin();
  try {
    await platform.query(`CREATE ROLE ${ADMIN} LOGIN CREATEROLE CREATEDB PASSWORD ${platform.escapeLiteral(ADMIN_PASSWORD)}`);
    await platform.query(`CREATE DATABASE ${RENDER_DB} OWNER ${ADMIN}`);
  } finally {
    await platform.end();
  }
  // Another login on the same server, e.g. another app's.
  await createRole(admin(), { name: OUTSIDER, login: true, password: OUTSIDER_PASSWORD });
}, 60_000);

afterAll(async () => {
  await closeConnections();
  server = undefined;
});

describe("the admin, as Render gives it", () => {
  it("can create roles and databases but is no superuser", async () => {
    const row = await admin().session(RENDER_DB, async (c) => (await c.query("SELECT rolsuper, rolcreaterole, rolcreatedb, rolinherit FROM pg_roles WHERE rolname = current_user")).rows[0]);
    expect(row).toEqual({ rolsuper: false, rolcreaterole: true, rolcreatedb: true, rolinherit: true });
  });
});

describe("connection strings against a real PostgreSQL", () => {
  it("logs in with a password holding every URL-reserved character", async () => {
    const password = hostilePassword();
    for (const ch of RESERVED) expect(password).toContain(ch);
    const user = pgIdentifier("ott", "pg-test");
    const database = pgIdentifier("ott", "pg-test");
    await createRole(admin(), { name: user, login: true, password });
    await createDatabase(admin(), { name: database, owner: user });

    const url = postgresUrl({ host: "127.0.0.1", port, database, user, password, sslmode: "disable" });
    // node-postgres
    await as(url, async (client) => {
      expect(await sql(client, "SELECT current_user AS u, current_database() AS d")).toEqual([{ u: user, d: database }]);
    });
    // libpq, which every other language's driver wraps
    const psql = postgresBin("psql");
    expect(execFileSync(psql, ["-X", url, "-tAc", "SELECT current_user || '@' || current_database()"], { encoding: "utf8" }).trim()).toBe(
      `${user}@${database}`,
    );
    // The server really checks the password: one character off is refused.
    const wrong = postgresUrl({ host: "127.0.0.1", port, database, user, password: `${password}x`, sslmode: "disable" });
    await expect(as(wrong, async () => undefined)).rejects.toThrow(/password authentication failed/);
  });
});

describe("Database under a non-superuser admin", () => {
  it("isolates each stack's database, gives consumers DML without DDL, and reads back exactly what it planned", async () => {
    const staging = await plan("staging-db", "staging", ["dev", "preview"]);
    const prod = await plan("prod-db", "prod", []);
    const deployed = [await deploy(staging.resources), await deploy(prod.resources)];
    const providerFor = (r: PlannedResource) => deployed.find((d) => d.providers.has(r.provider!))!.providerOf(r);

    // Every statement took effect: PostgreSQL warns when a GRANT or REVOKE changes nothing.
    for (const d of deployed) for (const p of d.providers.values()) expect(effectiveNotices(p.notices), p.name).toEqual([]);
    // What the creates stored in state, and what a refresh reads now, is what was planned.
    for (const [p, d] of [
      [staging, deployed[0]!],
      [prod, deployed[1]!],
    ] as const) {
      const want = desired(p);
      for (const r of [...ofType(p, GRANT), ...ofType(p, DEFAULT_PRIVILEGES)]) expect(sorted(d.state.get(r.urn)!), r.name).toEqual(want[r.name]);
      expect(await readBack(p, providerFor)).toEqual(want);
    }
    expect(desired(staging)["staging-db-revoke-public"]).toEqual([]);

    // Only the owner, the admin the provider needs inside, and the listed consumers may connect
    // (and the platform's superuser, which bypasses every check).
    expect(await whoCanConnect("ott_staging")).toEqual(sorted([ADMIN, "ott_staging", "ott_staging_dev", "ott_staging_preview", "postgres"]));
    expect(await whoCanConnect("ott_prod")).toEqual(["ott_prod", "postgres"]);
    // The admin took on the owner's role only while it needed to.
    const membership = await admin().session(RENDER_DB, async (c) =>
      (await c.query("SELECT pg_has_role($1, 'ott_staging', 'USAGE') AS staging, pg_has_role($1, 'ott_prod', 'USAGE') AS prod", [ADMIN])).rows[0],
    );
    expect(membership).toEqual({ staging: false, prod: false });
    // PostgreSQL 16 makes a role's creator its ADMIN (granted by the bootstrap superuser), without
    // INHERIT or SET: the admin cannot act as the owner. The provider's temporary GRANT (with SET,
    // granted by the admin itself) is a second membership, revoked after each step.
    const members = await admin().session(RENDER_DB, async (c) =>
      (
        await c.query(
          "SELECT pg_get_userbyid(roleid) AS role, pg_get_userbyid(grantor) AS grantor, admin_option, inherit_option, set_option FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY 1",
          [ADMIN],
        )
      ).rows,
    );
    const created = ["ott_prod", "ott_staging", "ott_staging_dev", "ott_staging_preview"];
    expect(members.filter((m) => created.includes(m.role))).toEqual(
      created.map((role) => ({ role, grantor: "postgres", admin_option: true, inherit_option: false, set_option: false })),
    );
    const canSet = await admin().session(RENDER_DB, async (c) => (await c.query("SELECT pg_has_role($1, 'ott_staging', 'SET') AS s", [ADMIN])).rows[0].s);
    expect(canSet).toBe(false);

    // The owner migrates, as staging's deploys do; tables made later are shared too.
    await as(staging.owner, async (o) => {
      await sql(o, "CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL)");
    });
    for (const [consumer, url] of Object.entries(staging.consumers)) {
      await as(url, async (c) => {
        await sql(c, `INSERT INTO tickets (title) VALUES ('from ${consumer}')`);
        await sql(c, `UPDATE tickets SET title = 'edited' WHERE title = 'from ${consumer}'`);
        expect(await sql(c, "SELECT title FROM tickets")).toEqual([{ title: "edited" }]);
        await sql(c, "DELETE FROM tickets");
        // No DDL, not even on what it can write.
        await expect(sql(c, "CREATE TABLE mine (x int)")).rejects.toThrow(/permission denied for schema public/);
        await expect(sql(c, "ALTER TABLE tickets ADD COLUMN x int")).rejects.toThrow(/must be owner of table tickets/);
        await expect(sql(c, "DROP TABLE tickets")).rejects.toThrow(/must be owner of table tickets/);
        await expect(sql(c, "CREATE SCHEMA mine")).rejects.toThrow(/permission denied for database ott_staging/);
        await expect(sql(c, "TRUNCATE tickets")).rejects.toThrow(/permission denied for table tickets/);
      });
    }
    // After the migration the table and sequence grants still read back as planned.
    expect(await readBack(staging, providerFor)).toEqual(desired(staging));

    // An unrelated login is refused CONNECT to the owner's database and to every consumer's.
    const urls = [staging.owner, ...Object.values(staging.consumers), prod.owner];
    expect(urls.map((u) => new URL(u).pathname)).toEqual(["/ott_staging", "/ott_staging", "/ott_staging", "/ott_prod"]);
    for (const url of urls) {
      await expect(as(retarget(url, { user: OUTSIDER, password: OUTSIDER_PASSWORD }), async () => undefined)).rejects.toThrow(/permission denied for database/);
    }
    // Neither stack's roles reach the other's database.
    await expect(as(retarget(staging.consumers.dev!, { database: "ott_prod" }), async () => undefined)).rejects.toThrow(/permission denied for database "ott_prod"/);
    await expect(as(retarget(prod.owner, { database: "ott_staging" }), async () => undefined)).rejects.toThrow(/permission denied for database "ott_staging"/);
  });

  it("shows why: run as the admin, database-level grants change nothing; replaced onto the owner, they hold", async () => {
    const qa = await plan("qa-db", "qa", ["dev"]);
    const dbLevel = ofType(qa, GRANT).filter((r) => r.inputs.objectType === "database");
    const adminUrn = qa.resources.find((r) => r.name === "qa-db-admin")!.urn;
    // The plan before this change: every grant on the admin's provider.
    const before = qa.resources.map((r) => (dbLevel.includes(r) ? { ...r, provider: adminUrn } : r));
    const d = await deploy(before);
    const asAdmin = d.providers.get(adminUrn)!;
    expect(asAdmin.notices).toEqual(
      expect.arrayContaining([
        `WARNING: no privileges could be revoked for "ott_qa"`,
        `WARNING: no privileges were granted for "ott_qa"`,
      ]),
    );
    // PUBLIC keeps CONNECT: every preview and drift run would show the grant changing, forever.
    const revokePublic = dbLevel.find((r) => r.name === "qa-db-revoke-public")!;
    expect(sorted(d.state.get(revokePublic.urn)!)).toEqual(["CONNECT", "TEMPORARY"]);
    expect(await whoCanConnect("ott_qa")).toContain(OUTSIDER);

    // The first `up` after the change replaces them (deleteBeforeReplace): delete through the
    // old provider, create through the owner's.
    const asOwner = d.providers.get(qa.resources.find((r) => r.name === "qa-db-as-owner")!.urn)!;
    for (const r of [...dbLevel].reverse()) await deleteGrant(asAdmin, asGrant(r));
    for (const r of dbLevel) expect(sorted(await createGrant(asOwner, asGrant(r))), r.name).toEqual(sorted(r.inputs.privileges as string[]));
    expect(asOwner.notices).toEqual([]);
    const after = (r: PlannedResource) => (dbLevel.includes(r) ? asOwner : d.providerOf(r));
    expect(await readBack(qa, after)).toEqual(desired(qa));
    expect(await whoCanConnect("ott_qa")).toEqual(sorted([ADMIN, "ott_qa", "ott_qa_dev", "postgres"]));
  });
});

describe("destroying a database while a consumer is connected", () => {
  const GRANT_ROLE = "postgresql:index/grantRole:GrantRole";
  /** A consumer's open session, as a dev or PR backend holds one; `ended` resolves when the server ends it. */
  async function openSession(url: string) {
    const c = new Client({ connectionString: url });
    const ended = new Promise<string>((resolve) => {
      c.on("error", (e) => resolve(e.message));
      c.on("end", () => resolve("ended"));
    });
    await c.connect();
    await c.query("SELECT 1");
    return { client: c, ended };
  }
  /** As the platform's superuser (its unix socket): what the stack's roles cannot see. */
  async function platform<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await server!.admin();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const allowsConnections = (database: string) =>
    platform(async (c) => (await c.query("SELECT datallowconn FROM pg_database WHERE datname = $1", [database])).rows[0]?.datallowconn as boolean | undefined);

  it("shows why: without the owner's membership in the consumer roles, the drop stops half-way and no `up` can undo it", async () => {
    const p = await plan("old-db", "old", ["dev"]);
    const before = p.resources.filter((r) => r.type !== GRANT_ROLE);
    expect(before.length).toBeLessThan(p.resources.length);
    const d = await deploy(before);
    const dev = await openSession(p.consumers.dev!);
    await expect(destroyDatabase(before, d)).rejects.toThrow(/terminat/);
    // ALLOW_CONNECTIONS false committed before the failure: nobody can connect, the owner neither.
    expect(await allowsConnections("ott_old")).toBe(false);
    await expect(as(p.owner, async () => undefined)).rejects.toThrow(/is not currently accepting connections/);
    // `up --refresh` reads ALLOW_CONNECTIONS false and updates it as the admin, who is not the owner.
    await expect(setAllowConnections(admin(), "ott_old", true)).rejects.toThrow(/must be owner of database/);
    await dev.client.end();
    await platform((c) => c.query("DROP DATABASE ott_old WITH (FORCE)"));
  });

  it("ends the consumer's session, drops the database, and the next `up` brings it back accepting connections", async () => {
    const p = await plan("gone-db", "gone", ["dev", "preview"]);
    const memberships = ofType(p, GRANT_ROLE).map((r) => [r.inputs.role, r.inputs.grantRole]);
    expect(memberships).toEqual([
      ["ott_gone", "ott_gone_dev"],
      ["ott_gone", "ott_gone_preview"],
    ]);
    // The database is dropped before the memberships are revoked.
    const database = p.resources.find((r) => r.type === "postgresql:index/database:Database")!;
    for (const m of ofType(p, GRANT_ROLE)) expect(database.dependsOn).toContain(m.urn);

    const d = await deploy(p.resources);
    for (const pr of d.providers.values()) expect(effectiveNotices(pr.notices), pr.name).toEqual([]);
    const dev = await openSession(p.consumers.dev!);
    const preview = await openSession(p.consumers.preview!);
    await destroyDatabase(p.resources, d);
    expect(await dev.ended).toMatch(/terminat/);
    expect(await preview.ended).toMatch(/terminat/);
    expect(await allowsConnections("ott_gone")).toBeUndefined();

    // The next `up` creates it again (roles and memberships are still there: they are deleted
    // after the database), and every stack connects.
    const again = await deploy(p.resources.filter((r) => r.type !== "postgresql:index/role:Role" && r.type !== GRANT_ROLE));
    expect(await allowsConnections("ott_gone")).toBe(true);
    for (const url of [p.owner, ...Object.values(p.consumers)]) {
      await as(url, async (c) => expect(await sql(c, "SELECT current_database() AS d")).toEqual([{ d: "ott_gone" }]));
    }
    expect(again.providers.size).toBeGreaterThan(0);
  });
});
});
