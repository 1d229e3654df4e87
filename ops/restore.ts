/**
 * `webstack restore <stack> <file>`: pg_restore into the stack's own database. Production needs
 * `--production` and the stack name typed back (or `--yes` in CI). It always takes a fresh
 * backup first and does not start unless that backup is on disk, whole and readable. The restore
 * runs in one transaction: it lands completely or not at all.
 *
 * An age-encrypted backup (`.dump.age`) is decrypted with `--identity FILE` or
 * WEBSTACK_BACKUP_IDENTITY (an AGE-SECRET-KEY-1… line) into a 0600 temporary file, deleted after.
 *
 * Ownership: objects are recreated owned by the owner role (`--no-owner`, `--no-acl`); the
 * database's default privileges give the consumers their grants back. Objects in the database
 * that another role owns (an extension the platform's admin created) cannot be dropped by the
 * owner role: their archive entries are skipped, the objects are kept as they are, and each one is
 * named on stderr.
 */
import { existsSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import { backup, backupText, decryptFile, ownerConnection, plaintextScratch, sha256File, type Backup } from "./backup";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { archiveInfo, libpqEnv, pgClients, restoreClient, runPgTool, serverInfo } from "./pg-tools";
import { checkDatabase, poolerLogin, poolerRefusal } from "./pooler";

export interface RestoreOptions {
  production?: boolean;
  yes?: boolean;
  /** Where the safety backup goes. Default `backups`. */
  out?: string;
  /** File holding the age identity for an encrypted backup. */
  identity?: string;
}

const AGE_MAGIC = "age-encryption.org/v1";

function isAgeFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(AGE_MAGIC.length);
    readSync(fd, buf, 0, buf.length, 0);
    return buf.toString("latin1") === AGE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

function ageIdentity(ops: Ops, file: string, identityFile?: string): string {
  const text = identityFile ? readFileSync(resolve(ops.cwd, identityFile), "utf8") : (ops.env.WEBSTACK_BACKUP_IDENTITY ?? "");
  const key = text.split("\n").map((l) => l.trim()).find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (!key) {
    throw new OpsError(`${file} is age-encrypted: pass --identity FILE (the private key, as age-keygen wrote it) or set WEBSTACK_BACKUP_IDENTITY=AGE-SECRET-KEY-1…`, 2);
  }
  return key;
}

/**
 * TOC entries (pg_restore --list lines) for extensions, and schemas, another role owns in the
 * target (Supabase's `extensions`, supabase_admin's): skipped, with their comments.
 */
export function skipForeignExtensions(toc: string[], foreign: ReadonlySet<string>, foreignSchemas: ReadonlySet<string> = new Set()): { kept: string[]; skipped: string[] } {
  const skipped: string[] = [];
  const kept = toc.filter((line) => {
    const m = /^\d+;\s+\d+\s+\d+\s+(?:(EXTENSION|SCHEMA) - (\S+)|COMMENT - (EXTENSION|SCHEMA) (\S+))\s/.exec(line);
    const kind = m && (m[1] ?? m[3]);
    const name = m && (m[2] ?? m[4]);
    if (name && (kind === "EXTENSION" ? foreign : foreignSchemas).has(name)) {
      skipped.push(line);
      return false;
    }
    return true;
  });
  return { kept, skipped };
}

export async function restore(ops: Ops, stack: string, o: StackOutputs, file: string, opts: RestoreOptions = {}): Promise<{ restored: string; safety: Backup; keptExtensions: string[] }> {
  const url = ownerConnection(stack, o, "restore");
  const path = resolve(ops.cwd, file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new OpsError(`${file}: no such file`, 2);

  if (o.environment === "production") {
    if (!opts.production) {
      throw new OpsError(`${stack} is production: restoring replaces its data. Add --production, then type the stack name when asked (or --yes in CI). Nothing was changed.`);
    }
    if (!opts.yes) {
      const typed = await ops.ask?.(`This replaces the data of production stack '${stack}'. Type the stack name to go on: `);
      if (typed === undefined) throw new OpsError(`${stack} is production and there is no terminal to confirm on: pass --yes to confirm. Nothing was changed.`);
      if (typed.trim() !== stack) throw new OpsError(`'${typed.trim()}' is not '${stack}': restore cancelled. Nothing was changed.`);
    }
  }
  const pgEnv = libpqEnv(url, ops.env, "pg_restore");
  const scratch = plaintextScratch();
  try {
    let archive = path;
    if (isAgeFile(path)) {
      archive = join(scratch.dir, "restore.dump");
      await decryptFile(path, archive, ageIdentity(ops, file, opts.identity)).catch((err: Error) => {
        throw new OpsError(`${file}: cannot decrypt with the given identity (${err.message})`, 2);
      });
    }
    // Every check before anything moves: the archive is readable, and a client fits this server.
    const clients = pgClients(ops.env);
    const info = await archiveInfo(archive, ops.env, clients).catch((err: Error) => {
      throw new OpsError(`${file} is not a pg_dump custom-format archive pg_restore can read: ${err.message}`, 2);
    });
    const what = `restore ${stack}`;
    const landed = await serverInfo(pgEnv, ops.env, clients).catch((err: Error) => {
      throw poolerRefusal(o, url, err, what) ?? err;
    });
    checkDatabase(o, url, landed.database, pgEnv.PGDATABASE!, what);
    const server = landed.major;
    const tools = restoreClient(server, info.dumpMajor, clients);
    const psql = tools.psql ?? clients.find((c) => c.psql)!.psql!;
    // Extensions, and schemas (Supabase's `extensions`), another role owns: the owner role cannot drop or recreate them.
    const foreignRows = await runPgTool(
      psql,
      [
        "-XAtq",
        "--no-password",
        "-c",
        "SELECT 'e|' || extname || '|' || pg_get_userbyid(extowner) FROM pg_extension WHERE extowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) AND extname <> 'plpgsql' " +
          "UNION ALL SELECT 's|' || nspname || '|' || pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) " +
          "AND nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%'",
      ],
      pgEnv,
      ops.env,
    );
    const rows = foreignRows.split("\n").filter(Boolean).map((l) => l.split("|") as [string, string, string]);
    const foreign = new Map(rows.filter((r) => r[0] === "e").map((r) => [r[1], r[2]]));
    const foreignSchemas = new Map(rows.filter((r) => r[0] === "s").map((r) => [r[1], r[2]]));
    const { kept, skipped } = skipForeignExtensions(info.toc, new Set(foreign.keys()), new Set(foreignSchemas.keys()));

    const safety = await backup(ops, stack, o, { out: opts.out, upload: false });
    if (!existsSync(safety.file) || statSync(safety.file).size === 0 || (await sha256File(safety.file)) !== safety.sha256) {
      throw new OpsError(`the safety backup ${safety.file} is not on disk as written; restore not started`);
    }
    ops.err(backupText(safety, ops.cwd).replace(/^Backup:/, "Safety backup:"));

    const keptExtensions = [...new Set(skipped.flatMap((l) => /EXTENSION (?:- )?(\S+)/.exec(l)?.[1] ?? []))];
    for (const name of keptExtensions) {
      ops.err(`kept extension ${name} as it is: ${foreign.get(name)} owns it, and the owner role cannot drop or replace it`);
    }
    for (const name of new Set(skipped.flatMap((l) => /SCHEMA (?:- )?(\S+)/.exec(l)?.[1] ?? []))) {
      ops.err(`kept schema ${name} as it is: ${foreignSchemas.get(name)} owns it, and the owner role cannot drop or replace it`);
    }
    const useList = join(scratch.dir, "toc.list");
    writeFileSync(useList, kept.join("\n"), { mode: 0o600 });
    // --no-owner/--no-acl: objects belong to the owner role that restores them, and the database's
    // default privileges (consumer roles' grants) apply to them as they are recreated.
    await runPgTool(
      tools.pgRestore,
      ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password", `--use-list=${useList}`, `--dbname=${pgEnv.PGDATABASE}`, archive],
      pgEnv,
      ops.env,
    ).catch((err: Error) => {
      const owner = /must be owner of (\w+) (\S+)/.exec(err.message);
      throw new OpsError(
        owner
          ? `restore rolled back, nothing changed: ${owner[1]} ${owner[2]} belongs to another role, which the owner role cannot drop; have its owner drop it or ALTER ... OWNER TO ${poolerLogin(o, url)?.role ?? pgEnv.PGUSER}, then restore again`
          : `restore rolled back, nothing changed: ${err.message}`,
      );
    });
    return { restored: path, safety, keptExtensions };
  } finally {
    scratch.done();
  }
}
