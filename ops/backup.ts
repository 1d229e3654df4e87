/**
 * `webstack backup <stack> [--out DIR] [--render-export]`: a `pg_dump --format=custom` of the
 * stack's own database through its owner role, named `<app>-<stack>-<UTC time>.dump`, with its
 * size and SHA-256 (also written next to it, as `sha256sum -c` reads). It is written under a
 * temporary name and renamed only once pg_dump succeeded and pg_restore can read it back.
 * Optionally also Render's own export (kept 7 days by Render). Shared stacks own no data.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { secretOutput } from "./outputs";
import { libpqEnv, pgBinary, runPgTool } from "./pg-tools";
import { listExports, renderClient, startExport, type PostgresExport } from "./render-api";

export interface Backup {
  file: string;
  bytes: number;
  sha256: string;
  /** Render's export, when asked for: its id and download URL. */
  renderExport?: PostgresExport;
}

/** `20260301T120500Z`: sortable, and no colon (Windows and scp dislike them). */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** `<base>.dump`, or `<base>-2.dump`… when taken: a backup never overwrites another (a restore's safety backup may come in the same second). */
function freshName(base: string): string {
  for (let n = 1; ; n++) {
    const file = `${base}${n === 1 ? "" : `-${n}`}.dump`;
    if (!existsSync(file) && !existsSync(`${file}.partial`)) return file;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The owner connection of a stack that owns its database, or a refusal that says whose data it is. */
export function ownerConnection(stack: string, o: StackOutputs, verb: string): string {
  if (o.databaseMode === "shared") {
    const owner = o.databaseFrom?.split("/").pop();
    throw new OpsError(`${stack} shares ${o.databaseFrom ?? "another stack"}'s database and owns no data: ${verb} the owner instead${owner ? ` (webstack ${verb} ${owner})` : ""}`);
  }
  // Outputs from before databaseOwnerConnection existed: an isolated stack (it exports its consumers) connects as the owner.
  const url = secretOutput(o, "databaseOwnerConnection") ?? (o.databaseMode === undefined && o.databaseConsumers ? secretOutput(o, "databaseConnectionString") : undefined);
  if (!url) throw new OpsError(`${stack} has no database of its own (no databaseOwnerConnection output): nothing to ${verb}`);
  return url;
}

export async function backup(ops: Ops, stack: string, o: StackOutputs, opts: { out?: string; renderExport?: boolean; exportTimeoutMs?: number } = {}): Promise<Backup> {
  const url = ownerConnection(stack, o, "backup");
  const pgEnv = libpqEnv(url, ops.env, "pg_dump");
  const client = opts.renderExport ? renderClient(ops.env, "Render's database export") : undefined;
  if (opts.renderExport && !o.renderPostgresId) throw new OpsError(`--render-export: ${stack}'s database is not a Render Postgres`, 2);
  const dir = resolve(ops.cwd, opts.out ?? "backups");
  mkdirSync(dir, { recursive: true });
  const file = freshName(join(dir, `${o.appName ?? "webstack"}-${stack}-${utcStamp(ops.clock.now())}`));
  const partial = `${file}.partial`;
  try {
    await runPgTool(pgBinary("pg_dump", ops.env), ["--format=custom", "--no-password", `--file=${partial}`], pgEnv, ops.env);
    // An archive pg_restore cannot list is no backup.
    await runPgTool(pgBinary("pg_restore", ops.env), ["--list", partial], {}, ops.env);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  const bytes = statSync(file).size;
  const sha256 = await sha256File(file);
  writeFileSync(`${file}.sha256`, `${sha256}  ${basename(file)}\n`);
  const result: Backup = { file, bytes, sha256 };

  if (client && o.renderPostgresId) {
    const id = o.renderPostgresId;
    const before = new Set((await listExports(client, id)).map((e) => e.id));
    await startExport(client, id).catch((err: Error) => {
      throw new OpsError(`Render refused the export of ${id}: ${err.message}; the pg_dump backup ${file} is complete`);
    });
    // The export has no id until it is listed, and no status: a new item with a URL means ready.
    const deadline = ops.clock.now() + (opts.exportTimeoutMs ?? 15 * 60_000);
    for (let interval = 5_000; ; interval = Math.min(30_000, interval * 2)) {
      const fresh = (await listExports(client, id)).find((e) => !before.has(e.id));
      if (fresh?.url) {
        result.renderExport = fresh;
        break;
      }
      if (ops.clock.now() + interval > deadline) throw new OpsError(`Render's export of ${id} is not ready after ${Math.round((opts.exportTimeoutMs ?? 900_000) / 60_000)} min; the pg_dump backup ${file} is complete`);
      ops.err(`Render export of ${id}: ${fresh ? "in progress" : "requested"}`);
      await ops.clock.sleep(interval);
    }
  }
  return result;
}

export function humanBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function backupText(b: Backup, cwd: string): string {
  const rel = b.file.startsWith(cwd + "/") ? b.file.slice(cwd.length + 1) : b.file;
  const lines = [`Backup: ${rel} (${humanBytes(b.bytes)}, sha256 ${b.sha256})`];
  if (b.renderExport) lines.push(`Render export ${b.renderExport.id}: ${b.renderExport.url} (Render keeps it 7 days)`);
  return lines.join("\n");
}
