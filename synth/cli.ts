import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formats, type FormatName } from "./format";

const USAGE =
  "usage: npm run synth -- <stack> [--stack-file PATH] [--format table|json|markdown|mermaid|cost] [--out FILE]\n" +
  "       npm run synth -- <stack>... --out-dir DIR [--format ...]";
/** Where the program (index.ts) lives; the stack files are read from here unless a caller names another root. */
const programRoot = resolve(__dirname, "..");
/** The file a stack's output gets under --out-dir. */
const EXTENSION: Record<FormatName, string> = { table: "txt", json: "json", markdown: "md", mermaid: "mmd", cost: "txt" };

/** What the CLI reads and writes: the process's own, or a caller's (tests run it in-process). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Relative paths (--out, --out-dir, --stack-file) are resolved from here. */
  cwd: string;
  /** The checkout whose stack files are synthesized (Pulumi.yaml, Pulumi.<stack>.yaml). */
  root: string;
  env: NodeJS.ProcessEnv;
}

const processIO = (): CliIO => ({
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
  root: programRoot,
  env: process.env,
});

/** Ends the run with an exit code; the CLI's process exits at once with it, as `process.exit` did. */
class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fail(io: CliIO, message: string, code: number): never {
  io.stderr(message.endsWith("\n") ? message : message + "\n");
  throw new CliExit(code);
}

/** A stack that cannot be synthesized: exit code 2 for usage (unknown stack), 1 for config or program. */
class SynthError extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

/**
 * So the next stack in this process runs `index.ts` afresh, as its own process would. The modules
 * it imports stay loaded: they keep no state from one run to the next (config is read inside
 * functions; module-level maps only memoize pure answers), and loading them again cost about a
 * quarter of each later stack's synth.
 */
function forgetProgram() {
  delete require.cache[require.resolve("../index")];
}

async function synthStack(io: CliIO, stack: string, format: FormatName, stackFilePath?: string): Promise<string> {
  // Loaded only for a synth: a usage error needs neither the config code nor the Pulumi SDK.
  const { costSection } = require("../cost/section") as typeof import("../cost/section.js");
  const { boundaryReport } = require("./boundary") as typeof import("./boundary.js");
  const { prepareStack } = require("./prepare") as typeof import("./prepare.js");
  const { synthesize } = require("./run") as typeof import("./run.js");
  const { otherStackClaims, readStackFile, UnknownStackError } = require("./stack-file") as typeof import("./stack-file.js");
  const root = io.root;
  let stackFile;
  try {
    // --stack-file: a stack file outside the project's Pulumi.<stack>.yaml, e.g. one of stacks/examples/.
    stackFile = readStackFile(root, stack, stackFilePath === undefined ? undefined : resolve(io.cwd, stackFilePath));
  } catch (err) {
    if (err instanceof UnknownStackError) throw new SynthError(err.message, 2);
    throw err;
  }
  // Every other stack file too: a host name belongs to one stack.
  const prepared = prepareStack(stackFile, otherStackClaims(root, stack));
  if (!prepared.ok) {
    throw new SynthError(
      `Invalid configuration in ${stackFilePath ?? `Pulumi.${stack}.yaml`} (${prepared.errors.length} problem${prepared.errors.length === 1 ? "" : "s"}):\n` +
        prepared.errors.map((e) => `  ${e}`).join("\n"),
      1,
    );
  }
  // What only the other stack files can tell: a production stack read from below, and secrets providers that differ.
  const boundary = boundaryReport(root, stack, prepared.stackFile.project, prepared.config);
  for (const w of boundary.warnings) io.stderr(`warning: ${w}\n`);
  if (boundary.errors.length > 0) {
    throw new SynthError(
      `Invalid configuration in Pulumi.${stack}.yaml (${boundary.errors.length} problem${boundary.errors.length === 1 ? "" : "s"}):\n` +
        boundary.errors.map((e) => `  ${e}`).join("\n"),
      1,
    );
  }
  const { project, config, secretKeys } = prepared.stackFile;
  const org = JSON.parse(config[`${project}:app`] ?? "{}").pulumiOrg as string | undefined;
  const manifest = await synthesize({
    project,
    stack,
    organization: org,
    config,
    secretKeys,
    program: () => {
      // A program that ran before in this process (an earlier stack) is loaded afresh.
      if (require.cache[require.resolve("../index")]) forgetProgram();
      return require("../index");
    },
  });
  manifest.cost = costSection(stack, prepared.config);
  return formats[format](manifest);
}

// Pulumi's RunError and our config errors carry a complete message; a stack trace adds nothing.
const describeError = (io: CliIO, err: unknown) =>
  err instanceof SynthError ? err.message : `synth failed: ${err instanceof Error ? (io.env.WEBSTACK_DEBUG ? err.stack : err.message) : String(err)}`;

async function main(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: "string", short: "f", default: "table" },
      out: { type: "string", short: "o" },
      "out-dir": { type: "string" },
      "stack-file": { type: "string" },
    },
  });
  const format = values.format as FormatName;
  if (!(format in formats)) fail(io, `unknown --format '${values.format}'\n${USAGE}`, 2);
  const outDir = values["out-dir"];
  if (outDir !== undefined) {
    // Several stacks in one process (snapshots, synth:diff): each to DIR/<stack>.<ext>, or its
    // error to DIR/<stack>.error; the exit code is the worst of them.
    if (positionals.length === 0 || values.out !== undefined || values["stack-file"] !== undefined) fail(io, USAGE, 2);
    const dir = resolve(io.cwd, outDir);
    mkdirSync(dir, { recursive: true });
    let code = 0;
    for (const stack of positionals) {
      try {
        writeFileSync(join(dir, `${stack}.${EXTENSION[format]}`), await synthStack(io, stack, format));
      } catch (err) {
        const message = describeError(io, err);
        const exit = err instanceof SynthError ? err.code : 1;
        writeFileSync(join(dir, `${stack}.error`), JSON.stringify({ code: exit, message }));
        io.stderr(`${stack}: ${message}\n`);
        code = Math.max(code, exit);
      }
    }
    return code;
  }
  const [stack] = positionals;
  if (!stack || positionals.length > 1) fail(io, USAGE, 2);
  try {
    const text = await synthStack(io, stack, format, values["stack-file"]);
    if (values.out) writeFileSync(resolve(io.cwd, values.out), text);
    else io.stdout(text);
  } catch (err) {
    fail(io, describeError(io, err), err instanceof SynthError ? err.code : 1);
  }
  return 0;
}

/**
 * `npm run synth -- …` with its arguments, writing to `io`; resolves to the exit code. Only one
 * run at a time in a process: the mock runtime is process-global.
 */
export async function runCli(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const full = { ...processIO(), ...io };
  try {
    return await main(argv, full);
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    // What the process reports as an unhandled failure: no trace, exit 1.
    try {
      fail(full, describeError(full, err), 1);
    } catch (exit) {
      return (exit as CliExit).code;
    }
  }
}

if (require.main === module) {
  const io = processIO();
  const exitNow = (err: unknown) => {
    if (err instanceof CliExit) process.exit(err.code);
    try {
      fail(io, describeError(io, err), 1);
    } catch (exit) {
      process.exit((exit as CliExit).code);
    }
  };
  process.on("unhandledRejection", exitNow);
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  }, exitNow);
}
