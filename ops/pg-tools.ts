/**
 * PostgreSQL's client tools, chosen by the server's major version:
 * - pg_dump refuses a server newer than itself, so it must be >= the server's major; the same
 *   major is preferred, as its archive is the one the server's own pg_restore reads.
 * - pg_restore cannot read an archive written by a newer pg_dump, and from 17 on it sends
 *   `SET transaction_timeout`, which servers before 17 reject.
 * Candidates: `WEBSTACK_PG_BIN` (folders, ':'-separated), Debian's /usr/lib/postgresql/<v>/bin
 * (`apt-get install postgresql-client-<v>`), then PATH. The connection goes through libpq's PG*
 * variables, never the command line, so the password is not visible in `ps`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { OpsError, missingCredential } from "./errors";

export interface PgClient {
  major: number;
  /** What `pg_dump --version` says, e.g. `15.20`. */
  version: string;
  pgDump: string;
  pgRestore: string;
  psql?: string;
}

/** The first major whose pg_restore sends `SET transaction_timeout`. */
export const TRANSACTION_TIMEOUT_MAJOR = 17;

const INSTALL = (major: number) => `install postgresql-client-${major} (apt.postgresql.org), or set WEBSTACK_PG_BIN to the folder holding its pg_dump and pg_restore`;

function candidateDirs(env: Record<string, string | undefined>): string[] {
  const root = "/usr/lib/postgresql";
  const debian = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, "bin"))
    : [];
  const path = (env.PATH ?? "").split(delimiter).filter(Boolean);
  return [...(env.WEBSTACK_PG_BIN ?? "").split(delimiter).filter(Boolean), ...debian, ...path];
}

const versionCache = new Map<string, string | undefined>();
function toolVersion(bin: string): string | undefined {
  if (!versionCache.has(bin)) {
    let v: string | undefined;
    try {
      v = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(execFileSync(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }))?.[1];
    } catch {
      v = undefined;
    }
    versionCache.set(bin, v);
  }
  return versionCache.get(bin);
}

/** Every installed client (a folder with pg_dump and pg_restore of one version), one per major, in search order. */
export function pgClients(env: Record<string, string | undefined>): PgClient[] {
  const out: PgClient[] = [];
  for (const dir of candidateDirs(env)) {
    const pgDump = join(dir, "pg_dump");
    const pgRestore = join(dir, "pg_restore");
    if (!existsSync(pgDump) || !existsSync(pgRestore)) continue;
    const version = toolVersion(pgDump);
    if (!version || toolVersion(pgRestore) !== version) continue;
    const major = Number(version.split(".")[0]);
    if (out.some((c) => c.major === major)) continue;
    out.push({ major, version, pgDump, pgRestore, psql: existsSync(join(dir, "psql")) ? join(dir, "psql") : undefined });
  }
  return out;
}

const list = (clients: PgClient[]) => (clients.length ? clients.map((c) => c.version).join(", ") : "none");

/** The server's major version (`server_version_num`), asked through any installed psql. */
export async function serverMajor(pgEnv: Record<string, string>, env: Record<string, string | undefined>, clients = pgClients(env)): Promise<number> {
  return (await serverInfo(pgEnv, env, clients)).major;
}

/**
 * The server's major version, and the database the connection landed in, which a pooler may choose
 * otherwise than the connection string asks (Supabase's Supavisor: reference §5, unconfirmed).
 */
export async function serverInfo(pgEnv: Record<string, string>, env: Record<string, string | undefined>, clients = pgClients(env)): Promise<{ major: number; database: string }> {
  const psql = clients.find((c) => c.psql)?.psql;
  if (!psql) throw new OpsError(`psql not found (looked in WEBSTACK_PG_BIN, /usr/lib/postgresql/*/bin and PATH): install postgresql-client, e.g. apt-get install -y postgresql-client`, 2);
  const out = await runPgTool(psql, ["-XAtq", "--no-password", "-F", "|", "-c", "SELECT current_setting('server_version_num'), current_database()"], pgEnv, env);
  const [version = "", database = ""] = out.trim().split("|");
  const num = Number(version);
  if (!Number.isInteger(num) || num < 90000) throw new OpsError(`the database answered '${out.trim()}' for server_version_num`);
  return { major: Math.floor(num / 10_000), database };
}

/** The pg_dump for a server: its own major, else the oldest newer one; refuses when every client is older. */
export function dumpClient(server: number, clients: PgClient[]): PgClient {
  const fit = clients.filter((c) => c.major >= server).sort((a, b) => a.major - b.major);
  if (!fit[0]) {
    throw new OpsError(`pg_dump: the database runs PostgreSQL ${server} and pg_dump must be ${server} or newer (installed: ${list(clients)}); ${INSTALL(server)}`, 2);
  }
  return fit[0];
}

/**
 * The pg_restore for an archive written by pg_dump `archive` into a server: one that reads the
 * archive (>= its major) and does not send `SET transaction_timeout` to a server before 17. The
 * server's own major first.
 */
export function restoreClient(server: number, archive: number, clients: PgClient[]): PgClient {
  const reads = clients.filter((c) => c.major >= archive);
  if (!reads.length) {
    throw new OpsError(`pg_restore: the archive was written by pg_dump ${archive}, which pg_restore ${list(clients)} cannot read; ${INSTALL(Math.max(archive, server))}`, 2);
  }
  const fit = reads.filter((c) => server >= TRANSACTION_TIMEOUT_MAJOR || c.major < TRANSACTION_TIMEOUT_MAJOR);
  if (!fit.length) {
    const need = Math.max(archive, server);
    throw new OpsError(
      `pg_restore: the database runs PostgreSQL ${server}, which rejects the SET transaction_timeout that pg_restore ${list(reads)} sends` +
        (archive >= TRANSACTION_TIMEOUT_MAJOR ? `, and the archive (pg_dump ${archive}) needs pg_restore ${archive} or newer: restore it into a PostgreSQL ${archive}+ server, or take the backup with pg_dump ${server}` : `; ${INSTALL(need)}`),
      2,
    );
  }
  return fit.find((c) => c.major === server) ?? fit.sort((a, b) => a.major - b.major)[0]!;
}

/** What `pg_restore --list` says about an archive: who wrote it, and its table of contents. */
export interface ArchiveInfo {
  /** Major of the pg_dump that wrote it. */
  dumpMajor: number;
  /** The TOC lines (`--list` output), for `--use-list`. */
  toc: string[];
}

/** Reads an archive's header with the newest pg_restore (it reads every older archive). */
export async function archiveInfo(path: string, env: Record<string, string | undefined>, clients = pgClients(env)): Promise<ArchiveInfo> {
  const newest = [...clients].sort((a, b) => b.major - a.major)[0];
  if (!newest) throw new OpsError(`pg_restore not found (looked in WEBSTACK_PG_BIN, /usr/lib/postgresql/*/bin and PATH): install postgresql-client, e.g. apt-get install -y postgresql-client`, 2);
  let out: string;
  try {
    out = await runPgTool(newest.pgRestore, ["--list", path], {}, env);
  } catch (err) {
    const m = /unsupported version \(([\d.]+)\) in file header/.exec((err as Error).message);
    if (m) throw new OpsError(`pg_restore: the archive's format ${m[1]} is newer than pg_restore ${newest.version} reads; install a newer postgresql-client, or set WEBSTACK_PG_BIN`, 2);
    throw err;
  }
  const by = /Dumped by pg_dump version:\s*(\d+)/.exec(out);
  if (!by) throw new OpsError(`pg_restore --list: no 'Dumped by pg_dump version' in the archive's header`, 2);
  return { dumpMajor: Number(by[1]), toc: out.split("\n") };
}

/** libpq variables for a `postgresql://` URL; a URL without a password needs PGPASSWORD. */
export function libpqEnv(url: string, env: Record<string, string | undefined>, purpose: string): Record<string, string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OpsError("the database connection output is not a postgresql:// URL", 2);
  }
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") throw new OpsError("the database connection output is not a postgresql:// URL", 2);
  const password = decodeURIComponent(u.password) || env.PGPASSWORD;
  if (!password) throw missingCredential("PGPASSWORD", purpose);
  const out: Record<string, string> = {
    PGHOST: u.hostname.replace(/^\[|\]$/g, ""),
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: password,
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, "")),
    PGAPPNAME: "webstack-ops",
  };
  const sslmode = u.searchParams.get("sslmode");
  if (sslmode) out.PGSSLMODE = sslmode;
  return out;
}

/** Runs a PostgreSQL client tool; rejects with its last stderr lines (which never hold the password). */
export function runPgTool(bin: string, args: string[], pgEnv: Record<string, string>, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    // Only what the tool needs: PATH, locale and the PG* connection.
    const base = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && /^(PATH|HOME|LANG|LC_.*|TZ|PGSSL.*|PGCONNECT_TIMEOUT)$/.test(k))) as Record<string, string>;
    const child = spawn(bin, args, { env: { ...base, ...pgEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", (err) => reject(new OpsError(`${bin}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new OpsError(`${bin.split("/").pop()} exited with ${code}: ${stderr.trim().split("\n").slice(-4).join(" | ") || "no message"}`));
    });
  });
}

export const clientDir = (c: PgClient) => dirname(c.pgDump);
