import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { diffManifests, formatDiffMarkdown, type DiffReport } from "../synth/diff";
import type { Manifest } from "../synth/manifest";
import { listStacks, PREVIEW_TEMPLATE } from "../synth/stack-file";
import { pool } from "./pool";
import { processIO, type ScriptIO } from "./workflow-commands";

const exec = promisify(execFile);
const USAGE = "usage: npm run synth:diff -- <base-ref> [--out FILE]";
/** The preview template is synthesized under this name, standing for every PR stack. */
export const PREVIEW_SAMPLE = "pr-0";

type SynthResult = { manifest: Manifest | null } | { error: string };

/** The stacks a checkout can synthesize: its committed stack files, plus the PR-stack template. */
function stacksIn(dir: string): string[] {
  const stacks = listStacks(dir);
  return existsSync(join(dir, PREVIEW_TEMPLATE)) ? [...stacks, PREVIEW_SAMPLE] : stacks;
}

/**
 * Runs a checkout's own synth CLI, so each side is synthesized by its own program and
 * config code. A checkout without the CLI, or one that does not know the stack, has no manifest.
 */
// This checkout's launcher, by absolute path: an older ref may predate it.
const LAUNCHER = join(__dirname, "..", "launcher.cjs");

async function synthAt(dir: string, stack: string): Promise<SynthResult> {
  if (!existsSync(join(dir, "synth", "cli.ts"))) return { manifest: null };
  try {
    const { stdout } = await exec(process.execPath, ["--require", LAUNCHER, "synth/cli.ts", stack, "--format", "json"], {
      cwd: dir,
      env: { ...process.env, WEBSTACK_DEBUG: "" },
      maxBuffer: 256 * 1024 * 1024,
    });
    return { manifest: JSON.parse(stdout) as Manifest };
  } catch (err: any) {
    if (err.code === 2) return { manifest: null }; // unknown stack at this ref
    return { error: String(err.stderr || err.message) };
  }
}

/**
 * A checkout's stacks, by its own synth CLI: all in one process when that CLI takes several
 * stacks (`--out-dir`), else one process per stack, as older refs need.
 */
async function synthAll(dir: string, stacks: string[]): Promise<SynthResult[]> {
  const cli = join(dir, "synth", "cli.ts");
  if (stacks.length === 0) return [];
  if (!existsSync(cli)) return stacks.map(() => ({ manifest: null }));
  if (!readFileSync(cli, "utf8").includes('"out-dir"')) return pool(stacks.map((s) => () => synthAt(dir, s)), Math.max(4, 2 * cpus().length));
  const out = mkdtempSync(join(tmpdir(), "webstack-synth-out-"));
  try {
    const failed = await exec(process.execPath, ["--require", LAUNCHER, "synth/cli.ts", ...stacks, "--format", "json", "--out-dir", out], {
      cwd: dir,
      env: { ...process.env, WEBSTACK_DEBUG: "" },
      maxBuffer: 256 * 1024 * 1024,
    }).then(
      () => undefined,
      (err: any) => String(err.stderr || err.message),
    );
    return stacks.map((stack): SynthResult => {
      const manifest = join(out, `${stack}.json`);
      if (existsSync(manifest)) return { manifest: JSON.parse(readFileSync(manifest, "utf8")) as Manifest };
      const error = join(out, `${stack}.error`);
      if (!existsSync(error)) return { error: failed ?? `synth wrote nothing for '${stack}'` };
      const { code, message } = JSON.parse(readFileSync(error, "utf8")) as { code: number; message: string };
      return code === 2 ? { manifest: null } : { error: message + "\n" }; // 2: unknown stack at this ref
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** `git archive <sha>` unpacked into a fresh temp dir: no change to the repo or its worktrees. */
async function checkout(root: string, sha: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "webstack-synth-diff-"));
  await new Promise<void>((ok, fail) => {
    const git = spawn("git", ["archive", "--format=tar", sha], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    git.stderr.on("data", (d) => (stderr += d));
    tar.stderr.on("data", (d) => (stderr += d));
    git.stdout.pipe(tar.stdin);
    let pending = 2;
    const done = (code: number | null) => {
      if (code !== 0) fail(new Error(`git archive ${sha} failed: ${stderr.trim()}`));
      else if (--pending === 0) ok();
    };
    git.on("close", done);
    tar.on("close", done);
  });
  // The base ref runs with this checkout's dependencies: no install, no network.
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}


export async function synthDiff(root: string, baseRef: string): Promise<{ report: DiffReport; ok: boolean }> {
  let sha: string;
  try {
    sha = (await exec("git", ["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`], { cwd: root })).stdout.trim();
  } catch {
    throw new UsageError(`unknown git ref '${baseRef}'`);
  }
  const head = (await exec("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).catch(() => ({ stdout: "" }))).stdout.trim();
  const baseDir = await checkout(root, sha);
  try {
    const baseStacks = new Set(stacksIn(baseDir));
    const headStacks = new Set(stacksIn(root));
    const stacks = [...new Set([...baseStacks, ...headStacks])].sort();
    // Each side in one process of its own CLI; the two sides run side by side.
    const side = async (dir: string, has: Set<string>) => {
      const names = stacks.filter((s) => has.has(s));
      const results = await synthAll(dir, names);
      return new Map(names.map((s, i) => [s, results[i]!]));
    };
    const [atBase, atHead] = await Promise.all([side(baseDir, baseStacks), side(root, headStacks)]);
    const none: SynthResult = { manifest: null };
    const results = stacks.flatMap((s) => [atBase.get(s) ?? none, atHead.get(s) ?? none]);

    const report: DiffReport = { base: `\`${baseRef}\` (${sha.slice(0, 7)})`, head: `working tree${head ? ` (${head})` : ""}`, diffs: [], errors: [] };
    stacks.forEach((stack, i) => {
      const [b, h] = [results[2 * i]!, results[2 * i + 1]!];
      if ("error" in b) report.errors!.push({ stack, side: "base", message: b.error });
      if ("error" in h) report.errors!.push({ stack, side: "head", message: h.error });
      report.diffs.push(diffManifests(stack, "manifest" in b ? b.manifest : null, "manifest" in h ? h.manifest : null));
    });
    return { report, ok: !report.errors!.some((e) => e.side === "head") };
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
}

class UsageError extends Error {}

/** `npm run synth:diff -- <base-ref> [--out FILE]` for the checkout at `root`; resolves to the exit code. */
export async function main(argv: string[], io: ScriptIO, root = resolve(__dirname, "..")): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string", short: "o" } } });
    if (positionals.length !== 1) throw new UsageError(USAGE);
    const { report, ok } = await synthDiff(root, positionals[0]!);
    const text = formatDiffMarkdown(report);
    if (values.out) writeFileSync(values.out, text);
    else io.stdout(text);
    // The report is written either way (the PR comment shows the failure); the exit code fails CI.
    return ok ? 0 : 1;
  } catch (err) {
    io.stderr(`synth:diff: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
}
