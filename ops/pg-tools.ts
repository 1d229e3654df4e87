/**
 * pg_dump and pg_restore: the newest Debian build (/usr/lib/postgresql/<v>/bin, as
 * `apt-get install postgresql-client` puts them), else PATH. The connection goes through libpq's
 * PG* variables, never the command line, so the password is not visible in `ps`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { OpsError, missingCredential } from "./errors";

export function pgBinary(name: "pg_dump" | "pg_restore", env: Record<string, string | undefined>): string {
  if (env.WEBSTACK_PG_BIN) return join(env.WEBSTACK_PG_BIN, name);
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], "bin", name);
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || fail(name);
  } catch {
    return fail(name);
  }
}

function fail(name: string): never {
  throw new OpsError(`${name} not found (looked in /usr/lib/postgresql/*/bin and PATH): install postgresql-client, e.g. apt-get install -y postgresql-client`, 2);
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
