// The Database component on a real PostgreSQL set up the way hosted Supabase is (reference §6):
// `supabase_admin` is the bootstrap superuser; `postgres`, the admin webstack gets, is NOT a
// superuser (LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS) and a member WITH ADMIN of anon,
// authenticated and service_role; default privileges hand anon/authenticated/service_role ALL on
// new objects postgres creates in public, in `postgres` and (the worst case) in template1.
//
// The Data API question, decided: webstack keeps a backend's data in a database of its own, owned by
// the stack's role, with CONNECT revoked from PUBLIC. PostgREST serves only the `postgres` database
// and signs in as `authenticator`, so it cannot reach that database, and Supabase's default
// privileges (for objects `postgres` creates) never cover tables the stack's role creates. This
// needs no Management API call that could fail or drift, and no RLS policy the app must remember.
import { hostilePassword, startPostgres, systemPostgresMajor, type Postgres } from "../servers";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../components/connection-string";
import { Database } from "../../components/database";
import { closeConnections, deploy, effectiveNotices, planDatabase } from "./postgres-provider-replay";
import { OpsRun } from "../ops/harness";
import { startSupavisorStandIn } from "../ops/supavisor-standin";
import { createLoginCheckProvider } from "../../providers/supabase/login-check";

let server: Postgres | undefined;
let port = 0;
const PG_PASSWORD = hostilePassword();
const AUTHENTICATOR_PASSWORD = "authenticator-pw-123";

async function as<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const urlFor = (user: string, password: string, database: string) => postgresUrl({ host: "127.0.0.1", port, user, password, database, sslmode: "disable" });

const plan = (stack: string, consumers: string[]) =>
  // As components/database-server.ts connects it with `ipv4: true` (no pooler here): `postgres` on database `postgres`.
  planDatabase(stack, () => new Database("db", { app: "ott", stack, consumers, sslmode: "disable", adminConnection: { host: "127.0.0.1", port, username: "postgres", password: pulumi.secret(PG_PASSWORD), database: "postgres" } }));

beforeAll(async () => {
  // The operating system's server, its bootstrap superuser named as Supabase's is.
  server = await startPostgres(systemPostgresMajor(), { superuser: "supabase_admin", options: "-c wal_level=minimal -c max_wal_senders=0" });
  port = server.port;
  const setup = async (database: string, statements: string[]) => {
    const c = await server!.admin(database);
    try {
      for (const s of statements) await c.query(s);
    } finally {
      await c.end();
    }
  };
  await setup("postgres", [
    `CREATE ROLE postgres LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS PASSWORD ${new Client().escapeLiteral(PG_PASSWORD)}`,
    "CREATE ROLE anon NOLOGIN NOINHERIT",
    "CREATE ROLE authenticated NOLOGIN NOINHERIT",
    "CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS",
    `CREATE ROLE authenticator LOGIN NOINHERIT PASSWORD '${AUTHENTICATOR_PASSWORD}'`,
    "GRANT anon, authenticated, service_role TO authenticator",
    "GRANT anon, authenticated, service_role TO postgres WITH ADMIN OPTION",
    "GRANT pg_read_all_data, pg_monitor, pg_signal_backend TO postgres",
  ]);
  const defaults = [
    "GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role",
    ...["postgres", "supabase_admin"].flatMap((owner) =>
      ["TABLES", "FUNCTIONS", "SEQUENCES"].map((o) => `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT ALL ON ${o} TO anon, authenticated, service_role`),
    ),
  ];
  await setup("postgres", defaults);
  // The worst case: template1 carries them too, so every new database starts with them.
  await setup("template1", defaults);
}, 60_000);

afterAll(async () => {
  await closeConnections();
  await server?.stop();
});

/** staging's database, deployed once for the file. */
let deployed: Promise<{ staging: Awaited<ReturnType<typeof plan>>; notices: [string, string[]][] }> | undefined;
const stagingOnce = () =>
  (deployed ??= (async () => {
    const staging = await plan("staging", ["dev"]);
    const d = await deploy(staging.resources);
    return { staging, notices: [...d.providers.values()].map((p) => [p.name, effectiveNotices(p.notices)] as [string, string[]]) };
  })());

describe("Database on a Supabase-like server", () => {
  it("works under the non-superuser postgres, keeps the Data API roles out, and gives consumers DML only", async () => {
    const { staging, notices } = await stagingOnce();
    for (const [name, n] of notices) expect(n, name).toEqual([]);

    // The admin really is Supabase's postgres: no superuser.
    const attrs = await as(urlFor("postgres", PG_PASSWORD, "postgres"), async (c) => (await c.query("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user")).rows[0]);
    expect(attrs).toEqual({ rolsuper: false, rolcreaterole: true, rolcreatedb: true, rolbypassrls: true });

    // The backend migrates in its own database.
    await as(staging.owner, (c) => c.query("CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL)"));

    // PostgREST signs in as authenticator, then SET ROLE anon/authenticated: it cannot even connect.
    await expect(as(urlFor("authenticator", AUTHENTICATOR_PASSWORD, "ott_staging"), async () => undefined)).rejects.toThrow(/permission denied for database "ott_staging"/);
    // And were it let in, the default privileges (for objects postgres creates) do not cover the owner's tables.
    const rights = await as(staging.owner, async (c) =>
      (await c.query("SELECT r, has_table_privilege(r, 'public.accounts', 'SELECT') AS s, has_table_privilege(r, 'public.accounts', 'INSERT') AS i FROM unnest(ARRAY['anon','authenticated','service_role']) AS r")).rows,
    );
    expect(rights).toEqual([
      { r: "anon", s: false, i: false },
      { r: "authenticated", s: false, i: false },
      { r: "service_role", s: false, i: false },
    ]);
    // What the Data API does serve (public in `postgres`) holds none of the backend's tables.
    const inPostgres = await as(urlFor("postgres", PG_PASSWORD, "postgres"), async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n);
    expect(inPostgres).toBe(0);

    // The consumer: DML, no DDL.
    await as(staging.consumers.dev!, async (c) => {
      await c.query("INSERT INTO accounts (email) VALUES ('a@example.com')");
      expect((await c.query("SELECT count(*)::int AS n FROM accounts")).rows[0].n).toBe(1);
      await expect(c.query("DROP TABLE accounts")).rejects.toThrow(/must be owner of table accounts/);
      await expect(c.query("CREATE TABLE mine (x int)")).rejects.toThrow(/permission denied for schema public/);
    });
  });
});

describe("backup and restore of a Supabase stack, through the session pooler", () => {
  const REF = "abcdefghijklmnopqrst";
  it("dump and restore as '<owner>.<ref>' keep supabase_admin's extension; a refused custom role and a database routed elsewhere are named, pointing to ipv4: true", async () => {
    const { staging } = await stagingOnce();
    // As Supabase's template1 may carry them: supabase_admin's schema `extensions` and an extension in it.
    const sa = await server!.admin("ott_staging");
    await sa.query("CREATE SCHEMA IF NOT EXISTS extensions; CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA extensions");
    await sa.end();
    await as(staging.owner, (c) => c.query("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('one'), ('two')"));
    const bodies = async () => (await as(staging.owner, (c) => c.query("SELECT body FROM notes ORDER BY id"))).rows.map((r: { body: string }) => r.body);

    const pooler = await startSupavisorStandIn(port, REF);
    try {
      const owner = new URL(staging.owner);
      const t = new OpsRun();
      t.env = { PATH: process.env.PATH };
      // What the stack's outputs hold on Supabase (test/components/database.test.ts): the session pooler, `<role>.<ref>`.
      const url = postgresUrl({ host: "127.0.0.1", port: pooler.port, user: `${owner.username}.${REF}`, password: decodeURIComponent(owner.password), database: "ott_staging", sslmode: "disable" });
      const file = t.outputs({ environment: "staging", appName: "ott", databaseMode: "isolated", databaseOwnerConnection: url, supabaseProjectRef: REF } as never);
      expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps"), t.stderr).toBe(0);
      await as(staging.owner, (c) => c.query("DELETE FROM notes WHERE body = 'two'"));
      expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps"), t.stderr).toBe(0);
      expect(await bodies()).toEqual(["one", "two"]);
      expect(t.stderr).toContain("kept extension pgcrypto as it is: supabase_admin owns it");

      // Supavisor refuses the custom role (unconfirmed, reference §5; its other wordings: test/ops/pg-tools.test.ts).
      pooler.refuse.set("ott_staging", { code: "28P01", message: 'password authentication failed for user "ott_staging"' });
      expect(await t.run("backup", "staging", "--outputs", file, "--out", "refused")).toBe(1);
      expect(t.stderr).toBe(
        `backup staging: the Supabase shared pooler (Supavisor, 127.0.0.1) refused ott_staging.${REF}: password authentication failed for user "ott_staging". ` +
          "Whether a custom role such as ott_staging can sign in through the shared pooler is unconfirmed (the direct host accepts it): set webstack:database.supabase.ipv4: true " +
          "(the IPv4 add-on, $4/month) so the stack's roles connect through the project's direct host, run `pulumi up`, then run this again",
      );
      // `pulumi up` signs in as each role the stack hands out (providers/supabase/login-check.ts): the same refusal, said the same way.
      const consumer = new URL(staging.consumers.dev!);
      const consumerUrl = postgresUrl({ host: "127.0.0.1", port: pooler.port, user: `${consumer.username}.${REF}`, password: decodeURIComponent(consumer.password), database: "ott_staging", sslmode: "disable" });
      const check = createLoginCheckProvider({ attempts: 2, delayMs: 0 });
      await expect(check.create!({ projectRef: REF, urls: [url, consumerUrl] })).rejects.toThrow(t.stderr.replace(/^backup staging: /, ""));
      // A role just created may reach the pooler late: one refusal is retried; both roles then sign in.
      pooler.refuse.set("ott_staging", { code: "XX000", message: `(ENOTFOUND) tenant/user ott_staging.${REF} not found`, times: 1 });
      expect((await check.create!({ projectRef: REF, urls: [url, consumerUrl] })).outs.checked).toEqual(["ott_staging@ott_staging", "ott_staging_dev@ott_staging"]);
      pooler.refuse.clear();
      // Supavisor routes the role to another database than the URL names (unconfirmed): nothing is dumped there, and `pulumi up` stops.
      pooler.forceDatabase = "postgres";
      expect(await t.run("backup", "staging", "--outputs", file, "--out", "routed")).toBe(1);
      expect(t.stderr).toMatch(new RegExp(`^backup staging: the connection names database 'ott_staging' but the server put it in 'postgres'; nothing was done\\. The Supabase shared pooler routes ott_staging\\.${REF} to one database`));
      await expect(check.create!({ projectRef: REF, urls: [consumerUrl] })).rejects.toThrow(`the connection names database 'ott_staging' but the server put it in 'postgres'; nothing was done. The Supabase shared pooler routes ott_staging_dev.${REF}`);
      expect(existsSync(join(t.dir, "refused")) ? readdirSync(join(t.dir, "refused")) : []).toEqual([]);
      expect(existsSync(join(t.dir, "routed")) ? readdirSync(join(t.dir, "routed")) : []).toEqual([]);
    } finally {
      await pooler.close();
    }
  });
});
