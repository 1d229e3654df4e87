import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postgresUrl } from "../../components/connection-string";
import { sha256File } from "../../ops/backup";
import { configureDay2 } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { OpsRun } from "./harness";
import { startPostgres, type Postgres } from "../servers";

// backup → restore round-trips real rows through a real PostgreSQL with Debian's pg_dump and
// pg_restore, as the stack's owner role (not a superuser), like a Render Postgres.

let pg: Postgres;
let render: RenderEmulator;
let t: OpsRun;
const OWNER = { user: "ott_staging", password: "owner pw with / and @ and %" };
const CONSUMER = { user: "ott_staging_dev", password: "consumer-pw" };
let ownerUrl = "";

async function as(user: { user: string; password: string }, fn: (c: Client) => Promise<unknown>): Promise<any> {
  const c = new Client({ connectionString: postgresUrl({ host: "127.0.0.1", port: pg.port, database: "ott_staging", ...user, sslmode: "disable" }) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const titles = async () => (await as(OWNER, (c) => c.query("SELECT title FROM tickets ORDER BY id"))).rows.map((r: { title: string }) => r.title);

beforeAll(async () => {
  [pg, render] = await Promise.all([startPostgres(), startEmulator()]);
  const admin = await pg.admin();
  try {
    // As the Database component sets it up: an owner role, a consumer with DML through default privileges.
    await admin.query(`CREATE ROLE ${OWNER.user} LOGIN PASSWORD '${OWNER.password}'`);
    await admin.query(`CREATE ROLE ${CONSUMER.user} LOGIN PASSWORD '${CONSUMER.password}'`);
    await admin.query(`CREATE DATABASE ott_staging OWNER ${OWNER.user}`);
    await admin.query("REVOKE ALL ON DATABASE ott_staging FROM PUBLIC");
    await admin.query(`GRANT CONNECT ON DATABASE ott_staging TO ${CONSUMER.user}`);
  } finally {
    await admin.end();
  }
  const db = await pg.admin("ott_staging");
  try {
    await db.query(`GRANT USAGE ON SCHEMA public TO ${CONSUMER.user}`);
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER.user} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${CONSUMER.user}`);
  } finally {
    await db.end();
  }
  await as(OWNER, async (c) => {
    await c.query("CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL)");
    await c.query("INSERT INTO tickets (title) VALUES ('first'), ('second'), ('ünïcødé ✓')");
  });
  ownerUrl = postgresUrl({ host: "127.0.0.1", port: pg.port, database: "ott_staging", ...OWNER, sslmode: "disable" });
}, 60_000);

afterAll(async () => {
  pg?.stop();
  await render?.stop();
});

beforeEach(() => {
  t = new OpsRun();
  t.env = { PATH: process.env.PATH };
});

const stagingOutputs = (extra: Record<string, unknown> = {}) =>
  t.outputs({ environment: "staging", appName: "ott", databaseMode: "isolated", databaseOwnerConnection: ownerUrl, ...extra } as never);

describe("webstack backup and restore", () => {
  it("dumps as the owner, named after app, stack and UTC time, with size and sha256; restores the rows after a safety backup", async () => {
    const file = stagingOutputs();
    expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps")).toBe(0);
    expect(t.stdout).toMatch(/^Backup: dumps\/ott-staging-20260301T120000Z\.dump \(\d+(\.\d)? KB, sha256 [0-9a-f]{64}\)$/);
    const dump = join(t.dir, "dumps", "ott-staging-20260301T120000Z.dump");
    const sha = t.stdout.match(/sha256 ([0-9a-f]{64})/)![1]!;
    expect(await sha256File(dump)).toBe(sha);
    expect(readFileSync(`${dump}.sha256`, "utf8")).toBe(`${sha}  ott-staging-20260301T120000Z.dump\n`);
    expect(readFileSync(dump).subarray(0, 5).toString()).toBe("PGDMP"); // custom format

    await as(OWNER, async (c) => {
      await c.query("DELETE FROM tickets WHERE title = 'second'");
      await c.query("UPDATE tickets SET title = 'edited' WHERE title = 'first'");
      await c.query("CREATE TABLE junk (x int)");
    });
    // Same second as the backup: the safety backup must not overwrite the file being restored.
    expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps")).toBe(0);
    expect(await titles()).toEqual(["first", "second", "ünïcødé ✓"]);
    expect(t.stderr).toMatch(/^Safety backup: dumps\/ott-staging-20260301T120000Z-2\.dump/);
    expect(await sha256File(dump)).toBe(sha);
    expect(readdirSync(join(t.dir, "dumps")).sort()).toEqual([
      "ott-staging-20260301T120000Z-2.dump",
      "ott-staging-20260301T120000Z-2.dump.sha256",
      "ott-staging-20260301T120000Z.dump",
      "ott-staging-20260301T120000Z.dump.sha256",
    ]);
    // The consumer's grants come back through the database's default privileges.
    expect((await as(CONSUMER, (c) => c.query("SELECT count(*)::int AS n FROM tickets"))).rows).toEqual([{ n: 3 }]);
    // The safety backup holds what the restore replaced.
    t.clock.t += 1_000;
    expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z-2.dump", "--outputs", file, "--out", "dumps")).toBe(0);
    expect(await titles()).toEqual(["edited", "ünïcødé ✓"]);
    expect(t.stdout).toContain("the data it replaced is in");
    expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps")).toBe(0);
  });

  it("refuses a restore into production without the flags, or with the wrong name typed back, and writes nothing", async () => {
    const prod = t.outputs({ environment: "production", appName: "ott", databaseMode: "isolated", databaseOwnerConnection: ownerUrl } as never, "prod.json");
    writeFileSync(join(t.dir, "some.dump"), "not used");
    const before = await titles();
    expect(await t.run("restore", "prod", "some.dump", "--outputs", prod, "--out", "prod-dumps")).toBe(1);
    expect(t.stderr).toBe("prod is production: restoring replaces its data. Add --production, then type the stack name when asked (or --yes in CI). Nothing was changed.");
    expect(await t.run("restore", "prod", "some.dump", "--outputs", prod, "--out", "prod-dumps", "--production")).toBe(1);
    expect(t.stderr).toContain("there is no terminal to confirm on: pass --yes");
    t.ask = async () => "staging";
    expect(await t.run("restore", "prod", "some.dump", "--outputs", prod, "--out", "prod-dumps", "--production")).toBe(1);
    expect(t.stderr).toBe("'staging' is not 'prod': restore cancelled. Nothing was changed.");
    expect(existsSync(join(t.dir, "prod-dumps"))).toBe(false);
    expect(await titles()).toEqual(before);
    // Typed back correctly, it goes on to check the file: not an archive, so still nothing is written.
    t.ask = async () => "prod";
    expect(await t.run("restore", "prod", "some.dump", "--outputs", prod, "--out", "prod-dumps", "--production")).toBe(2);
    expect(t.stderr).toMatch(/^some\.dump is not a pg_dump custom-format archive pg_restore can read/);
    expect(existsSync(join(t.dir, "prod-dumps"))).toBe(false);
  });

  it("refuses shared stacks, names PGPASSWORD when the connection has no password, and reads older outputs", async () => {
    const dev = t.outputs({ environment: "development", databaseMode: "shared", databaseFrom: "acme/webstack/staging" } as never, "dev.json");
    expect(await t.run("backup", "dev", "--outputs", dev)).toBe(1);
    expect(t.stderr).toBe("dev shares acme/webstack/staging's database and owns no data: backup the owner instead (webstack backup staging)");
    const noPassword = stagingOutputs({ databaseOwnerConnection: `postgresql://ott_staging@127.0.0.1:${pg.port}/ott_staging` });
    expect(await t.run("backup", "staging", "--outputs", noPassword)).toBe(2);
    expect(t.stderr).toMatch(/^PGPASSWORD is not set: pg_dump needs the database password/);
    t.env.PGPASSWORD = OWNER.password;
    expect(await t.run("backup", "staging", "--outputs", noPassword, "--out", "d")).toBe(0);
    // Outputs written before databaseOwnerConnection existed: an isolated stack's connection is the owner's.
    const older = t.outputs({ environment: "staging", appName: "ott", databaseConsumers: {}, databaseConnectionString: ownerUrl } as never, "older.json");
    expect(await t.run("backup", "staging", "--outputs", older, "--out", "older")).toBe(0);
    // A stack never deployed has no outputs: the deploy workflow's --if-deployed lets its first update through.
    const never = t.outputs({} as never, "never.json");
    expect(await t.run("backup", "prod", "--outputs", never)).toBe(2);
    expect(await t.run("backup", "prod", "--outputs", never, "--if-deployed")).toBe(0);
    expect(t.stdout).toBe("prod has not been deployed yet: nothing to back up");
    const hidden = stagingOutputs({ databaseOwnerConnection: "[secret]" });
    expect(await t.run("backup", "staging", "--outputs", hidden)).toBe(2);
    expect(t.stderr).toContain("--show-secrets");
  });

  it("also asks Render for its export and waits for the download URL; a refused export leaves the dump complete", async () => {
    const res = await fetch(`${render.url}/postgres`, {
      method: "POST",
      headers: { authorization: `Bearer ${render.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ott-staging-db", ownerId: "tea-emulator", plan: "basic_256mb", version: "16" }),
    });
    const { id } = (await res.json()) as { id: string };
    configureDay2(render, { exportReadyAfter: 2 });
    Object.assign(t.env, { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url });
    const file = stagingOutputs({ renderPostgresId: id });
    expect(await t.run("backup", "staging", "--outputs", file, "--render-export", "--json")).toBe(0);
    const b = JSON.parse(t.stdout);
    expect(b.renderExport).toMatchObject({ id: expect.stringMatching(/^exp-/), url: expect.stringContaining(`/${id}/`) });
    expect(t.clock.slept).toEqual([5_000, 10_000]);

    const free = await fetch(`${render.url}/postgres`, {
      method: "POST",
      headers: { authorization: `Bearer ${render.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ott-free-db", ownerId: "tea-emulator", plan: "free", version: "16" }),
    });
    const freeOutputs = stagingOutputs({ renderPostgresId: ((await free.json()) as { id: string }).id });
    expect(await t.run("backup", "staging", "--outputs", freeOutputs, "--render-export", "--out", "free")).toBe(1);
    expect(t.stderr).toMatch(/Render refused the export of \S+: .*\(400\): exports are not available for free databases; the pg_dump backup \S+\/free\/ott-staging-20260301T120015Z\.dump is complete/);
    expect(readdirSync(join(t.dir, "free"))).toEqual(["ott-staging-20260301T120015Z.dump", "ott-staging-20260301T120015Z.dump.sha256"]);
  });
});
