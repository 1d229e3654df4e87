/**
 * `webstack restore <stack> <file>`: pg_restore into the stack's own database. Production needs
 * `--production` and the stack name typed back (or `--yes` in CI). It always takes a fresh
 * backup first and does not start unless that backup is on disk, whole and readable. The restore
 * runs in one transaction: it lands completely or not at all.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import { backup, backupText, ownerConnection, sha256File, type Backup } from "./backup";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { libpqEnv, pgBinary, runPgTool } from "./pg-tools";

export interface RestoreOptions {
  production?: boolean;
  yes?: boolean;
  /** Where the safety backup goes. Default `backups`. */
  out?: string;
}

export async function restore(ops: Ops, stack: string, o: StackOutputs, file: string, opts: RestoreOptions = {}): Promise<{ restored: string; safety: Backup }> {
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
  const pgRestore = pgBinary("pg_restore", ops.env);
  // The archive must be readable before the database is touched.
  await runPgTool(pgRestore, ["--list", path], {}, ops.env).catch((err: Error) => {
    throw new OpsError(`${file} is not a pg_dump custom-format archive pg_restore can read: ${err.message}`, 2);
  });

  const safety = await backup(ops, stack, o, { out: opts.out });
  if (!existsSync(safety.file) || statSync(safety.file).size === 0 || (await sha256File(safety.file)) !== safety.sha256) {
    throw new OpsError(`the safety backup ${safety.file} is not on disk as written; restore not started`);
  }
  ops.err(backupText(safety, ops.cwd).replace(/^Backup:/, "Safety backup:"));

  // --no-owner/--no-acl: objects belong to the owner role that restores them, and the database's
  // default privileges (consumer roles' grants) apply to them as they are recreated.
  await runPgTool(pgRestore, ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password", `--dbname=${pgEnv.PGDATABASE}`, path], pgEnv, ops.env);
  return { restored: path, safety };
}
