/**
 * Runs the program the way `pulumi preview` / `pulumi up` run it: the Node.js language host starts
 * `node <nodeargs> <sdk>/cmd/run --monitor … --engine … <main>` with the stack's config in
 * `PULUMI_CONFIG` (old-form `<ns>:config:<key>` keys, values as strings, objects as JSON text)
 * and the secret keys in `PULUMI_CONFIG_SECRET_KEYS`, against a recording engine.
 * Source: ../shared/reference/real-engine-paths.md §2 (pulumi-language-nodejs `constructArguments`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import YAML from "yaml";
import type { StackFile } from "../../synth/stack-file";
import { startRecordingEngine, type LogEntry, type RecordedResource, type StackOutputs } from "./recording-engine";

export const ROOT = resolve(__dirname, "..", "..");
/** The CLI's default `--parallel` ("unbounded"). */
const PARALLEL = 2147483647;

export interface ProgramRunOptions {
  file: StackFile;
  dryRun: boolean;
  /** Project directory (Pulumi.yaml); ROOT unless a test needs another. */
  root?: string;
  organization?: string;
  /** Added to the child's environment, e.g. a launcher switch. */
  env?: Record<string, string>;
  /** What StackReference reads of these stacks (full names) get, instead of the synth's fakes. */
  stacks?: Record<string, StackOutputs>;
  /** Node options before Pulumi.yaml's nodeargs, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeOptions?: string[];
  /** Lists the files Node loaded in the child (test/engine/loaded-modules.cjs, required ahead of the nodeargs). */
  probeModules?: boolean;
  timeoutMs?: number;
}

export interface ProgramRun {
  stack: string;
  dryRun: boolean;
  /** Exit code (32: the program printed a user-actionable error). */
  code: number | null;
  stdout: string;
  stderr: string;
  logs: LogEntry[];
  resources: RecordedResource[];
  /** The stack's outputs (RegisterResourceOutputs of the root stack resource), wire form. */
  stackOutputs: Record<string, any>;
  rootUrn: string;
  shutdownSignalled: boolean;
  unexpected: string[];
  /** The files Node had loaded when the child exited, with `probeModules`. */
  modules?: string[];
  /** Wall time from spawn to exit. */
  ms: number;
  /** The command line, for messages. */
  argv: string[];
}

interface ProjectFile {
  name: string;
  main?: string;
  runtime?: string | { name: string; options?: { nodeargs?: string; typescript?: boolean } };
}

export function readProject(root = ROOT): ProjectFile {
  return YAML.parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** `webstack:backend` → `webstack:config:backend`, the form the language host hands the SDK. */
export function languageHostConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      const i = key.indexOf(":");
      return [`${key.slice(0, i)}:config:${key.slice(i + 1)}`, value];
    }),
  );
}

/** The language host's command line for a project: `<nodeargs> <sdk>/cmd/run <flags> <main>`. */
export function programCommand(args: { root: string; monitor: string; organization: string; stack: string; dryRun: boolean }): string[] {
  const project = readProject(args.root);
  const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  const nodeargs = String(options.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const run = require.resolve("@pulumi/pulumi/cmd/run", { paths: [args.root] });
  return [
    ...nodeargs,
    run,
    "--monitor",
    args.monitor,
    "--engine",
    args.monitor,
    "--organization",
    args.organization,
    "--project",
    project.name,
    "--root-directory",
    args.root,
    "--stack",
    args.stack,
    "--pwd",
    args.root,
    ...(args.dryRun ? ["--dry-run"] : []),
    "--parallel",
    String(PARALLEL),
    project.main ?? ".",
  ];
}

/** The environment the language host adds for the program (a clean one: no test runner variables). */
export function programEnv(file: StackFile, root = ROOT, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const project = readProject(root);
  const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PULUMI_CONFIG: JSON.stringify(languageHostConfig(file.config)),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(file.secretKeys),
    ...(options.typescript === undefined ? {} : { PULUMI_NODEJS_TYPESCRIPT: String(options.typescript) }),
    ...extra,
  };
}

/** What the probe wrote at the child's exit; nothing if it was killed first. */
function loadedModules(file: string): string[] {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as string[];
  } catch {
    return [];
  }
}

/** Starts a recording engine, runs the program against it to the end, and returns what it saw. */
export async function runProgram(opts: ProgramRunOptions): Promise<ProgramRun> {
  const root = opts.root ?? ROOT;
  const project = readProject(root);
  const engine = await startRecordingEngine({ project: project.name, stack: opts.file.stack, dryRun: opts.dryRun, stacks: opts.stacks });
  const argv = programCommand({ root, monitor: engine.address, organization: opts.organization ?? "acme", stack: opts.file.stack, dryRun: opts.dryRun });
  const probeDir = opts.probeModules ? mkdtempSync(join(tmpdir(), "cmdrun-probe-")) : undefined;
  const probe = probeDir ? { nodeOptions: ["--require", join(__dirname, "loaded-modules.cjs")], env: { WEBSTACK_PROBE_OUT: join(probeDir, "modules.json") } } : undefined;
  const started = process.hrtime.bigint();
  try {
    const nodeOptions = [...(probe?.nodeOptions ?? []), ...(opts.nodeOptions ?? [])];
    const env = programEnv(opts.file, root, { ...opts.env, ...probe?.env });
    const child = spawn(process.execPath, [...nodeOptions, ...argv], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    const code = await new Promise<number | null>((resolveExit, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolveExit(c));
    }).finally(() => clearTimeout(timer));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const rootUrn = engine.rootUrn();
    return {
      stack: opts.file.stack,
      dryRun: opts.dryRun,
      code,
      stdout,
      stderr,
      logs: engine.logs,
      resources: engine.resources,
      stackOutputs: engine.outputs.get(rootUrn) ?? {},
      rootUrn,
      shutdownSignalled: engine.shutdownSignalled(),
      unexpected: engine.unexpected,
      modules: probe ? loadedModules(probe.env.WEBSTACK_PROBE_OUT) : undefined,
      ms,
      argv,
    };
  } finally {
    await engine.close();
    if (probeDir) rmSync(probeDir, { recursive: true, force: true });
  }
}
