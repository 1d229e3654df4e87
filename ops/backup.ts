/**
 * `webstack backup <stack> [--out DIR] [--render-export] [--no-upload]`: a `pg_dump --format=custom`
 * of the stack's own database through its owner role, with the pg_dump of the server's major
 * (ops/pg-tools.ts). With a backup recipient (`webstack:backup.recipient`, an age public key, or
 * WEBSTACK_BACKUP_RECIPIENT) the dump is encrypted on this machine to `<app>-<stack>-<UTC>.dump.age`
 * and uploaded to the stack's own R2 bucket (`webstack-backups/<stack>/…`, kept by the bucket's
 * lifecycle rule); the plaintext exists only as a 0600 temporary file, deleted before the command
 * ends. Without a recipient the plaintext dump is kept locally (0600), with a warning. The file's
 * size and SHA-256 are printed and written next to it, as `sha256sum -c` reads. Optionally also
 * Render's own export (kept 7 days by Render). Shared stacks own no data.
 */
import { createHash } from "node:crypto";
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { StackOutputs } from "../components/stack-outputs";
import { AGE_RECIPIENT } from "../config/backup";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { secretOutput } from "./outputs";
import { dumpClient, libpqEnv, pgClients, runPgTool, serverInfo } from "./pg-tools";
import { checkDatabase, poolerRefusal } from "./pooler";
import { listExports, renderClient, startExport, type PostgresExport } from "./render-api";
import { backupBucket, putObject, type Uploaded } from "./s3";

export interface Backup {
  file: string;
  bytes: number;
  sha256: string;
  /** Whether `file` is age-encrypted (`.dump.age`). */
  encrypted: boolean;
  /** PostgreSQL majors of the server and of the pg_dump that wrote it. */
  serverMajor: number;
  pgDumpMajor: number;
  /** Where the encrypted file went in the stack's bucket. */
  uploaded?: Uploaded;
  /** Render's export, when asked for: its id and download URL. */
  renderExport?: PostgresExport;
}

/** `20260301T120500Z`: sortable, and no colon (Windows and scp dislike them). */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** `<base><ext>`, or `<base>-2<ext>`… when taken: a backup never overwrites another (a restore's safety backup may come in the same second). */
function freshName(base: string, ext: string): string {
  for (let n = 1; ; n++) {
    const file = `${base}${n === 1 ? "" : `-${n}`}${ext}`;
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

/** The age public key backups are encrypted to: the environment's, else the stack's output; checked. */
export function backupRecipient(o: StackOutputs, env: Record<string, string | undefined>): string | undefined {
  const fromEnv = env.WEBSTACK_BACKUP_RECIPIENT?.trim();
  const r = fromEnv || o.backupRecipient;
  if (r === undefined || r === "") return undefined;
  if (!AGE_RECIPIENT.test(r)) {
    throw new OpsError(`${fromEnv ? "WEBSTACK_BACKUP_RECIPIENT" : "the backupRecipient output"} is not an age public key (age1…, as \`age-keygen -y\` prints)`, 2);
  }
  return r;
}

/** Encrypts `from` to `to` (0600) for one age recipient, streaming. */
export async function encryptFile(from: string, to: string, recipient: string): Promise<void> {
  const { Encrypter } = await import("age-encryption");
  const e = new Encrypter();
  e.addRecipient(recipient);
  const encrypted = await e.encrypt(Readable.toWeb(createReadStream(from)) as unknown as ReadableStream<Uint8Array>);
  await pipeline(Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>), createWriteStream(to, { mode: 0o600 }));
}

/** Decrypts an age file `from` to `to` (0600) with an identity (AGE-SECRET-KEY-1…), streaming. */
export async function decryptFile(from: string, to: string, identity: string): Promise<void> {
  const { Decrypter } = await import("age-encryption");
  const d = new Decrypter();
  d.addIdentity(identity);
  const plain = await d.decrypt(Readable.toWeb(createReadStream(from)) as unknown as ReadableStream<Uint8Array>);
  await pipeline(Readable.fromWeb(plain as unknown as WebReadableStream<Uint8Array>), createWriteStream(to, { mode: 0o600 }));
}

/** A private folder for plaintext dumps, removed by `done()` whatever happened. */
export function plaintextScratch(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "webstack-dump-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BackupOptions {
  out?: string;
  renderExport?: boolean;
  exportTimeoutMs?: number;
  /** false: keep the encrypted file local, do not upload it. */
  upload?: boolean;
}

/** Whether this runs on a CI runner (GitHub Actions and most others set CI). */
export const onCi = (env: Record<string, string | undefined>) => !!env.CI && env.CI !== "false";

/** Why the stack's backups cannot be encrypted (no recipient), or undefined when they can. */
export function noRecipient(stack: string, o: StackOutputs, env: Record<string, string | undefined>): string | undefined {
  if (backupRecipient(o, env)) return undefined;
  return `${stack} has no backup recipient (webstack:backup.recipient, or WEBSTACK_BACKUP_RECIPIENT), so no backup was taken: set one (docs/operations.md, "Before a production deploy: back up")`;
}

export async function backup(ops: Ops, stack: string, o: StackOutputs, opts: BackupOptions = {}): Promise<Backup> {
  const url = ownerConnection(stack, o, "backup");
  const pgEnv = libpqEnv(url, ops.env, "pg_dump");
  const client = opts.renderExport ? renderClient(ops.env, "Render's database export") : undefined;
  if (opts.renderExport && !o.renderPostgresId) throw new OpsError(`--render-export: ${stack}'s database is not a Render Postgres`, 2);
  const recipient = backupRecipient(o, ops.env);
  // On a CI runner a plaintext dump is no backup: it is lost with the runner, and until then any later step can read it.
  const refused = onCi(ops.env) ? noRecipient(stack, o, ops.env) : undefined;
  if (refused) throw new OpsError(`${refused}; on CI a dump is only kept encrypted`, 2);
  // Checked before the dump: credentials that cannot upload fail now, not after minutes of pg_dump.
  const bucket = recipient && opts.upload !== false ? backupBucket(stack, o) : undefined;
  const clients = pgClients(ops.env);
  // A refusal by Supabase's pooler says so; a pooler that put us in another database stops it here.
  const what = `backup ${stack}`;
  const pooled = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: Error) => {
      throw poolerRefusal(o, url, err, what) ?? err;
    });
  const landed = await pooled(serverInfo(pgEnv, ops.env, clients));
  checkDatabase(o, url, landed.database, pgEnv.PGDATABASE!, what);
  const server = landed.major;
  const tools = dumpClient(server, clients);

  const dir = resolve(ops.cwd, opts.out ?? "backups");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = join(dir, `${o.appName ?? "webstack"}-${stack}-${utcStamp(ops.clock.now())}`);
  const file = freshName(base, recipient ? ".dump.age" : ".dump");
  const partial = `${file}.partial`;
  const scratch = plaintextScratch();
  // The plaintext goes to the private scratch folder when it is to be encrypted, else straight to --out.
  const plain = recipient ? join(scratch.dir, "dump") : partial;
  try {
    await pooled(runPgTool(tools.pgDump, ["--format=custom", "--no-password", `--file=${plain}`], pgEnv, ops.env));
    chmodSync(plain, 0o600);
    // An archive pg_restore cannot list is no backup.
    await runPgTool(tools.pgRestore, ["--list", plain], {}, ops.env);
    if (recipient) await encryptFile(plain, partial, recipient);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    scratch.done();
  }
  const bytes = statSync(file).size;
  const sha256 = await sha256File(file);
  writeFileSync(`${file}.sha256`, `${sha256}  ${basename(file)}\n`);
  const result: Backup = { file, bytes, sha256, encrypted: !!recipient, serverMajor: server, pgDumpMajor: tools.major };
  if (!recipient) ops.err(`${stack} has no backup recipient (webstack:backup.recipient): ${basename(file)} is NOT encrypted; keep it on this machine`);
  if (bucket) {
    result.uploaded = await putObject(bucket, `${bucket.prefix}${basename(file)}`, file, sha256, bytes).catch((err: Error) => {
      throw new OpsError(`${err.message}; the encrypted backup ${file} is complete`, err instanceof OpsError ? err.exitCode : 1);
    });
  }

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
  const lines = [`Backup: ${rel} (${humanBytes(b.bytes)}, sha256 ${b.sha256}${b.encrypted ? ", age-encrypted" : ""})`];
  if (b.uploaded) lines.push(`Uploaded: s3://${b.uploaded.bucket}/${b.uploaded.key}`);
  if (b.renderExport) lines.push(`Render export ${b.renderExport.id}: ${b.renderExport.url} (Render keeps it 7 days)`);
  return lines.join("\n");
}
