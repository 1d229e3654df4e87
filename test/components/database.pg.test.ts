// Against a real PostgreSQL: the connection strings the Database component builds must work
// with any password, and the consumer privilege set must allow the app's DML and nothing more.
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../components/connection-string";
import { pgIdentifier, SEQUENCE_PRIVILEGES, TABLE_PRIVILEGES } from "../../components/database";

const RESERVED = ":/?#[]@!$&'()*+,;=% ";

/** The newest Debian server binaries, or PATH's. Missing binaries fail the suite, never skip it. */
function serverBin(name: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], "bin", name);
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      `PostgreSQL server binary '${name}' not found (looked in ${root}/*/bin and PATH). ` +
        "These tests start a throwaway server: .ci/run must install postgresql (apt-get install -y postgresql).",
    );
  }
}

/** initdb and postgres refuse to run as root; run them as the postgres user then. */
function asServerUser(bin: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A generated password holding every URL-reserved character plus random letters and digits. */
function hostilePassword(): string {
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const chars = [...RESERVED, ...Array.from({ length: 24 }, () => alnum[randomInt(alnum.length)]!)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}

let dir = "";
let port = 0;
let pgCtl = "";
const admin = () => new Client({ host: dir, port, user: "postgres", database: "postgres" });

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

beforeAll(async () => {
  const initdb = serverBin("initdb");
  pgCtl = serverBin("pg_ctl");
  dir = mkdtempSync(join(tmpdir(), "webstack-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, "superuser-unused\n", { mode: 0o644 });
  // TCP logins check passwords (scram); the unix socket in `dir` lets the test administer.
  asServerUser(initdb, ["-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  port = await freePort();
  asServerUser(pgCtl, [
    "-D",
    data,
    "-w",
    "-l",
    join(dir, "server.log"),
    "-o",
    `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off`,
    "start",
  ]);
}, 60_000);

afterAll(() => {
  if (pgCtl && dir && existsSync(join(dir, "data", "postmaster.pid"))) {
    asServerUser(pgCtl, ["-D", join(dir, "data"), "-m", "fast", "-w", "stop"]);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("connection strings against a real PostgreSQL", () => {
  it("logs in with a password holding every URL-reserved character", async () => {
    const password = hostilePassword();
    for (const ch of RESERVED) expect(password).toContain(ch);
    const user = pgIdentifier("ott", "pg-test");
    const database = pgIdentifier("ott", "pg-test");
    const c = admin();
    await c.connect();
    try {
      await sql(c, `CREATE ROLE ${c.escapeIdentifier(user)} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
      await sql(c, `CREATE DATABASE ${c.escapeIdentifier(database)} OWNER ${c.escapeIdentifier(user)}`);
    } finally {
      await c.end();
    }

    const url = postgresUrl({ host: "127.0.0.1", port, database, user, password, sslmode: "disable" });
    // node-postgres
    await as(url, async (client) => {
      expect(await sql(client, "SELECT current_user AS u, current_database() AS d")).toEqual([{ u: user, d: database }]);
    });
    // libpq, which every other language's driver wraps
    const psql = serverBin("psql");
    expect(execFileSync(psql, ["-X", url, "-tAc", "SELECT current_user || '@' || current_database()"], { encoding: "utf8" }).trim()).toBe(
      `${user}@${database}`,
    );
    // The server really checks the password: one character off is refused.
    const wrong = postgresUrl({ host: "127.0.0.1", port, database, user, password: `${password}x`, sslmode: "disable" });
    await expect(as(wrong, async () => undefined)).rejects.toThrow(/password authentication failed/);
  });
});

describe("the consumer privilege set against a real PostgreSQL", () => {
  // The statements pulumi-postgresql issues for the component's Database, Grant and
  // DefaultPrivileges resources, in the component's order.
  it("lets a consumer read and write the owner's tables, but not change the schema, and keeps others out", async () => {
    const owner = pgIdentifier("ott", "staging");
    const consumer = pgIdentifier(owner, "dev");
    const outsider = "someone_else";
    const pw = { owner: hostilePassword(), consumer: hostilePassword(), outsider: hostilePassword() };
    const url = (user: string, password: string) => postgresUrl({ host: "127.0.0.1", port, database: owner, user, password, sslmode: "disable" });
    const c = admin();
    await c.connect();
    try {
      const id = (s: string) => c.escapeIdentifier(s);
      for (const [role, password] of [
        [owner, pw.owner],
        [consumer, pw.consumer],
        [outsider, pw.outsider],
      ] as const) {
        await sql(c, `CREATE ROLE ${id(role)} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
      }
      await sql(c, `CREATE DATABASE ${id(owner)} OWNER ${id(owner)}`);
      await sql(c, `REVOKE ALL ON DATABASE ${id(owner)} FROM PUBLIC`);
      await sql(c, `GRANT CONNECT ON DATABASE ${id(owner)} TO ${id(consumer)}`);
    } finally {
      await c.end();
    }
    const inDb = new Client({ host: dir, port, user: "postgres", database: owner });
    await inDb.connect();
    try {
      const id = (s: string) => inDb.escapeIdentifier(s);
      await sql(inDb, `GRANT USAGE ON SCHEMA public TO ${id(consumer)}`);
      await sql(inDb, `GRANT ${TABLE_PRIVILEGES.join(", ")} ON ALL TABLES IN SCHEMA public TO ${id(consumer)}`);
      await sql(inDb, `GRANT ${SEQUENCE_PRIVILEGES.join(", ")} ON ALL SEQUENCES IN SCHEMA public TO ${id(consumer)}`);
      await sql(inDb, `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(owner)} IN SCHEMA public GRANT ${TABLE_PRIVILEGES.join(", ")} ON TABLES TO ${id(consumer)}`);
      await sql(inDb, `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(owner)} IN SCHEMA public GRANT ${SEQUENCE_PRIVILEGES.join(", ")} ON SEQUENCES TO ${id(consumer)}`);
    } finally {
      await inDb.end();
    }

    // The owner migrates after the grants, as staging's deploys do.
    await as(url(owner, pw.owner), async (o) => {
      await sql(o, "CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL)");
    });
    await as(url(consumer, pw.consumer), async (d) => {
      await sql(d, "INSERT INTO tickets (title) VALUES ('from dev')");
      await sql(d, "UPDATE tickets SET title = 'edited' WHERE title = 'from dev'");
      expect(await sql(d, "SELECT title FROM tickets")).toEqual([{ title: "edited" }]);
      await expect(sql(d, "CREATE TABLE mine (x int)")).rejects.toThrow(/permission denied for schema public/);
      await expect(sql(d, "DROP TABLE tickets")).rejects.toThrow(/must be owner of table tickets/);
      await sql(d, "DELETE FROM tickets");
    });
    await expect(as(url(outsider, pw.outsider), async () => undefined)).rejects.toThrow(/permission denied for database/);
  });
});
