import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter, generateIdentity, identityToRecipient } from "age-encryption";
import { AwsV4Signer } from "aws4fetch";
import { Client } from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postgresUrl } from "../../components/connection-string";
import { sha256File } from "../../ops/backup";
import { configureDay2 } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { clientMajors, SETUP_HINT, startPostgres, testPostgresMajors, type Postgres } from "../servers";
import { OpsRun } from "./harness";

// backup → restore round-trips real rows through real PostgreSQL servers of every major the tests
// run (Debian's, and npm's 16 and 17, Render's) with every client installed (Debian's pg_dump and
// pg_restore), as the stack's owner role, on a database set up by a Render-like admin that is no
// superuser (LOGIN CREATEROLE CREATEDB) and owns an extension in it.

const ADMIN = { user: "ott_render_admin", password: "admin pw: / @ %" };
const OWNER = { user: "ott_staging", password: "owner pw with / and @ and %" };
const CONSUMER = { user: "ott_staging_dev", password: "consumer-pw" };
const CLIENTS = clientMajors();
const SERVERS = testPostgresMajors();
const versions = () => CLIENTS.map((m) => execFileSync(`/usr/lib/postgresql/${m}/bin/pg_dump`, ["--version"], { encoding: "utf8" }).match(/\) (\d+\.\d+)/)![1]).join(", ");
/** The server whose major has a client here: where the round trips run. */
const HOME = CLIENTS.find((m) => SERVERS.includes(m));

const servers = new Map<number, Postgres>();
let pg: Postgres;
let render: RenderEmulator;
let t: OpsRun;
let ownerUrl = "";
const urlOf = (p: Postgres, user: { user: string; password: string }, database = "ott_staging") =>
  postgresUrl({ host: "127.0.0.1", port: p.port, database, ...user, sslmode: "disable" });

async function as<T>(p: Postgres, user: { user: string; password: string }, fn: (c: Client) => Promise<T>, database = "ott_staging"): Promise<T> {
  const c = new Client({ connectionString: urlOf(p, user, database) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const titles = async (p: Postgres = pg) => (await as(p, OWNER, (c) => c.query("SELECT title FROM tickets ORDER BY id"))).rows.map((r: { title: string }) => r.title);
const extensionOwner = async (p: Postgres = pg) => (await as(p, OWNER, (c) => c.query("SELECT pg_get_userbyid(extowner) AS o FROM pg_extension WHERE extname = 'pg_trgm'"))).rows[0]?.o;

/** As Render hands a database over and the Database component sets it up, plus an extension the admin created. */
async function setUp(p: Postgres): Promise<void> {
  const platform = await p.admin();
  try {
    await platform.query(`CREATE ROLE ${ADMIN.user} LOGIN CREATEROLE CREATEDB PASSWORD ${platform.escapeLiteral(ADMIN.password)}`);
    await platform.query(`CREATE DATABASE ${ADMIN.user} OWNER ${ADMIN.user}`);
  } finally {
    await platform.end();
  }
  await as(
    p,
    ADMIN,
    async (c) => {
      await c.query(`CREATE ROLE ${OWNER.user} LOGIN PASSWORD ${c.escapeLiteral(OWNER.password)}`);
      await c.query(`CREATE ROLE ${CONSUMER.user} LOGIN PASSWORD ${c.escapeLiteral(CONSUMER.password)}`);
      // The provider's temporary membership (CREATE DATABASE … OWNER needs it).
      await c.query(`GRANT ${OWNER.user} TO ${ADMIN.user}`);
      await c.query(`CREATE DATABASE ott_staging OWNER ${OWNER.user}`);
    },
    ADMIN.user,
  );
  await as(p, ADMIN, async (c) => {
    await c.query("REVOKE ALL ON DATABASE ott_staging FROM PUBLIC");
    await c.query(`GRANT CONNECT ON DATABASE ott_staging TO ${CONSUMER.user}`);
    await c.query(`GRANT USAGE ON SCHEMA public TO ${CONSUMER.user}`);
    await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER.user} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${CONSUMER.user}`);
    // Render's admin creates extensions on request: the admin owns it, not the owner role.
    await c.query("CREATE EXTENSION pg_trgm");
    await c.query(`REVOKE ${OWNER.user} FROM ${ADMIN.user}`);
  });
  await as(p, OWNER, async (c) => {
    await c.query("CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL)");
    await c.query("CREATE INDEX tickets_title_trgm ON tickets USING gin (title gin_trgm_ops)");
    await c.query("INSERT INTO tickets (title) VALUES ('first'), ('second'), ('ünïcødé ✓')");
  });
}

beforeAll(async () => {
  if (HOME === undefined) throw new Error(`no PostgreSQL client tools with a server of the same major (clients: ${CLIENTS.join(", ") || "none"}): ${SETUP_HINT}`);
  const started = await Promise.all([...SERVERS.map((m) => startPostgres(m)), startEmulator()]);
  render = started.pop() as RenderEmulator;
  for (const p of started as Postgres[]) servers.set(p.major, p);
  await Promise.all([...servers.values()].map(setUp));
  pg = servers.get(HOME)!;
  ownerUrl = urlOf(pg, OWNER);
}, 120_000);

afterAll(async () => {
  await Promise.all([...[...servers.values()].map((p) => p.stop()), render?.stop()]);
});

beforeEach(() => {
  t = new OpsRun();
  t.env = { PATH: process.env.PATH };
});

const stagingOutputs = (extra: Record<string, unknown> = {}) =>
  t.outputs({ environment: "staging", appName: "ott", databaseMode: "isolated", databaseOwnerConnection: ownerUrl, ...extra } as never);

/** Plaintext dumps this process left in the temporary folder (there must be none). */
const scratchLeft = () => readdirSync(tmpdir()).filter((f) => f.startsWith("webstack-dump-"));

describe("every installed client against every server major", () => {
  it.each(SERVERS)("PostgreSQL %i: round-trips real rows with a client of its major, or refuses in one line before anything moves", async (major) => {
    const p = servers.get(major)!;
    const url = urlOf(p, OWNER);
    const file = t.outputs({ environment: "staging", appName: "ott", databaseMode: "isolated", databaseOwnerConnection: url } as never, `pg${major}.json`);
    const code = await t.run("backup", "staging", "--outputs", file, "--out", "dumps");
    if (!CLIENTS.some((c) => c >= major)) {
      expect(code).toBe(2);
      expect(t.err).toEqual([
        `pg_dump: the database runs PostgreSQL ${major} and pg_dump must be ${major} or newer (installed: ${versions()}); install postgresql-client-${major} (apt.postgresql.org), or set WEBSTACK_PG_BIN to the folder holding its pg_dump and pg_restore`,
      ]);
      expect(existsSync(join(t.dir, "dumps")) ? readdirSync(join(t.dir, "dumps")) : []).toEqual([]);
      return;
    }
    expect(code, t.err.join("\n")).toBe(0);
    const dump = join(t.dir, "dumps", "ott-staging-20260301T120000Z.dump");
    await as(p, OWNER, (c) => c.query("DELETE FROM tickets WHERE title = 'second'"));
    const restored = await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps");
    const client = Math.min(...CLIENTS.filter((c) => c >= major));
    if (client >= 17 && major < 17) {
      expect(restored).toBe(2);
      expect(t.err.join("\n")).toMatch(/rejects the SET transaction_timeout/);
      expect(await titles(p)).toEqual(["first", "ünïcødé ✓"]);
    } else {
      expect(restored, t.err.join("\n")).toBe(0);
      expect(await titles(p)).toEqual(["first", "second", "ünïcødé ✓"]);
    }
    expect(await sha256File(dump)).toBe(readFileSync(`${dump}.sha256`, "utf8").split(" ")[0]);
  });
});

describe("restore when another role owns objects", () => {
  it("a plain pg_restore --clean as the owner aborts on the admin's extension (the failure this handles)", async () => {
    const file = stagingOutputs();
    expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps")).toBe(0);
    const pgRestore = `/usr/lib/postgresql/${HOME}/bin/pg_restore`;
    const dump = join(t.dir, "dumps", "ott-staging-20260301T120000Z.dump");
    let stderr = "";
    try {
      execFileSync(pgRestore, ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--dbname", ownerUrl, dump], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    } catch (err) {
      stderr = String((err as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(/must be owner of extension pg_trgm/);
  });

  it("keeps the extension as it is, says so, and restores everything else", async () => {
    const file = stagingOutputs();
    expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps")).toBe(0);
    await as(pg, OWNER, async (c) => {
      await c.query("UPDATE tickets SET title = 'edited' WHERE title = 'first'");
      await c.query("DROP INDEX tickets_title_trgm");
    });
    expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps"), t.err.join("\n")).toBe(0);
    expect(t.err).toContain(`kept extension pg_trgm as it is: ${ADMIN.user} owns it, and the owner role cannot drop or replace it`);
    expect(await titles()).toEqual(["first", "second", "ünïcødé ✓"]);
    expect(await extensionOwner()).toBe(ADMIN.user);
    // The index on the extension's operator class is back, and works.
    const similar = await as(pg, OWNER, (c) => c.query("SET enable_seqscan = off; SELECT title FROM tickets WHERE title % 'firsd'"));
    expect((similar as unknown as { rows: { title: string }[] }[])[1]!.rows).toEqual([{ title: "first" }]);
    expect((await as(pg, OWNER, (c) => c.query("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets' ORDER BY 1"))).rows).toEqual([
      { indexname: "tickets_pkey" },
      { indexname: "tickets_title_trgm" },
    ]);
  });
});

/** A small S3 double: checks each request's SigV4 signature against the one key it knows, and keeps objects. */
async function startS3(keyId: string, secret: string): Promise<{ url: string; objects: Map<string, Buffer>; requests: string[]; close(): Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const auth = String(req.headers.authorization ?? "");
      const url = `http://${req.headers.host}${req.url}`;
      requests.push(`${req.method} ${req.url}`);
      const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
      const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h])]));
      const expected = signed.length
        ? (await new AwsV4Signer({ method: req.method, url, headers, accessKeyId: keyId, secretAccessKey: secret, service: "s3", region: "auto", datetime: String(req.headers["x-amz-date"]) }).sign()).headers.get("authorization")
        : undefined;
      const fail = (status: number, code: string) => {
        res.writeHead(status, { "content-type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
      };
      if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${keyId}/`)) return fail(403, "InvalidAccessKeyId");
      if (auth !== expected) return fail(403, "SignatureDoesNotMatch");
      if (req.method === "PUT") {
        if (createHash("sha256").update(body).digest("hex") !== req.headers["x-amz-content-sha256"]) return fail(400, "XAmzContentSHA256Mismatch");
        objects.set(decodeURIComponent(req.url!), body);
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
        return res.end();
      }
      fail(405, "MethodNotAllowed");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, objects, requests, close: () => new Promise((r) => server.close(() => r())) };
}

describe("encrypted backups in the stack's own bucket", () => {
  it("encrypts to the recipient, uploads signed to webstack-backups/<stack>/, leaves no plaintext; the private key restores it", async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const s3 = await startS3("tokenid0123", "s3-secret");
    try {
      const before = scratchLeft();
      const file = stagingOutputs({ backupRecipient: recipient, bucketName: "ott-staging-files", storageEndpoint: s3.url, storageAccessKeyId: "tokenid0123", storageSecretAccessKey: "s3-secret" });
      expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps"), t.err.join("\n")).toBe(0);
      const name = "ott-staging-20260301T120000Z.dump.age";
      expect(t.out.join("\n")).toMatch(new RegExp(`^Backup: dumps/${name.replace(/\./g, "\\.")} \\(\\d+(\\.\\d)? KB, sha256 [0-9a-f]{64}, age-encrypted\\)\\nUploaded: s3://ott-staging-files/webstack-backups/staging/${name.replace(/\./g, "\\.")}$`));
      expect(readdirSync(join(t.dir, "dumps")).sort()).toEqual([name, `${name}.sha256`]);
      expect(statSync(join(t.dir, "dumps", name)).mode & 0o777).toBe(0o600);
      expect(scratchLeft()).toEqual(before);
      const stored = s3.objects.get(`/ott-staging-files/webstack-backups/staging/${name}`)!;
      expect(stored.equals(readFileSync(join(t.dir, "dumps", name)))).toBe(true);
      expect(stored.subarray(0, 21).toString()).toBe("age-encryption.org/v1");
      expect(stored.includes(Buffer.from("ünïcødé"))).toBe(false);
      const d = new Decrypter();
      d.addIdentity(identity);
      const plain = Buffer.from(await d.decrypt(new Uint8Array(stored)));
      expect(plain.subarray(0, 5).toString()).toBe("PGDMP");

      // Restoring the encrypted file needs the private key, and then works.
      await as(pg, OWNER, (c) => c.query("DELETE FROM tickets"));
      expect(await t.run("restore", "staging", `dumps/${name}`, "--outputs", file, "--out", "dumps")).toBe(2);
      expect(t.err).toEqual([`dumps/${name} is age-encrypted: pass --identity FILE (the private key, as age-keygen wrote it) or set WEBSTACK_BACKUP_IDENTITY=AGE-SECRET-KEY-1…`]);
      writeFileSync(join(t.dir, "key.txt"), `# created: 2026-03-01\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
      expect(await t.run("restore", "staging", `dumps/${name}`, "--outputs", file, "--out", "dumps", "--identity", "key.txt"), t.err.join("\n")).toBe(0);
      expect(await titles()).toEqual(["first", "second", "ünïcødé ✓"]);
      // The safety backup is encrypted too, and stays local (a restore uploads nothing).
      expect(s3.requests).toEqual([`PUT /ott-staging-files/webstack-backups/staging/${name}`]);
      expect(scratchLeft()).toEqual(before);
    } finally {
      await s3.close();
    }
  });

  it("names the credential when the bucket refuses, keeps the encrypted file, and checks the recipient", async () => {
    const recipient = await identityToRecipient(await generateIdentity());
    const s3 = await startS3("tokenid0123", "s3-secret");
    try {
      const file = stagingOutputs({ backupRecipient: recipient, bucketName: "ott-staging-files", storageEndpoint: s3.url, storageAccessKeyId: "tokenid0123", storageSecretAccessKey: "revoked" });
      expect(await t.run("backup", "staging", "--outputs", file, "--out", "dumps")).toBe(2);
      expect(t.err).toEqual([
        "upload to ott-staging-files refused (403 SignatureDoesNotMatch): check the stack's storage token (storageAccessKeyId) and bucket; the encrypted backup " +
          join(t.dir, "dumps", "ott-staging-20260301T120000Z.dump.age") +
          " is complete",
      ]);
      expect(s3.objects.size).toBe(0);
      const noBucket = stagingOutputs({ backupRecipient: recipient });
      expect(await t.run("backup", "staging", "--outputs", noBucket, "--out", "d2")).toBe(2);
      expect(t.err[0]).toMatch(/^staging has a backup recipient but no bucket of its own to upload to .*: give it webstack:storage mode 'own', or pass --no-upload$/);
      expect(existsSync(join(t.dir, "d2"))).toBe(false);
      expect(await t.run("backup", "staging", "--outputs", noBucket, "--out", "d2", "--no-upload")).toBe(0);
      expect(readdirSync(join(t.dir, "d2"))).toEqual(["ott-staging-20260301T120000Z.dump.age", "ott-staging-20260301T120000Z.dump.age.sha256"]);
      t.env.WEBSTACK_BACKUP_RECIPIENT = "AGE-SECRET-KEY-1NOTAPUBLICKEY";
      expect(await t.run("backup", "staging", "--outputs", noBucket, "--out", "d3")).toBe(2);
      expect(t.err).toEqual(["WEBSTACK_BACKUP_RECIPIENT is not an age public key (age1…, as `age-keygen -y` prints)"]);
    } finally {
      await s3.close();
    }
  });
});

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

    await as(pg, OWNER, async (c) => {
      await c.query("DELETE FROM tickets WHERE title = 'second'");
      await c.query("UPDATE tickets SET title = 'edited' WHERE title = 'first'");
      await c.query("CREATE TABLE junk (x int)");
    });
    // Same second as the backup: the safety backup must not overwrite the file being restored.
    expect(await t.run("restore", "staging", "dumps/ott-staging-20260301T120000Z.dump", "--outputs", file, "--out", "dumps")).toBe(0);
    expect(await titles()).toEqual(["first", "second", "ünïcødé ✓"]);
    expect(t.stderr).toMatch(/^Safety backup: dumps\/ott-staging-20260301T120000Z-2\.dump/m);
    expect(await sha256File(dump)).toBe(sha);
    expect(readdirSync(join(t.dir, "dumps")).sort()).toEqual([
      "ott-staging-20260301T120000Z-2.dump",
      "ott-staging-20260301T120000Z-2.dump.sha256",
      "ott-staging-20260301T120000Z.dump",
      "ott-staging-20260301T120000Z.dump.sha256",
    ]);
    // The consumer's grants come back through the database's default privileges.
    expect((await as(pg, CONSUMER, (c) => c.query("SELECT count(*)::int AS n FROM tickets"))).rows).toEqual([{ n: 3 }]);
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
