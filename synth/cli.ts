import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { costSection } from "../cost/section";
import { formats, type FormatName } from "./format";
import { boundaryReport } from "./boundary";
import { prepareStack } from "./prepare";
import { synthesize } from "./run";
import { otherStackClaims, readStackFile, UnknownStackError } from "./stack-file";

const USAGE =
  "usage: npm run synth -- <stack> [--stack-file PATH] [--format table|json|markdown|mermaid|cost] [--out FILE]\n" +
  "       npm run synth -- <stack>... --out-dir DIR [--format ...]";
const root = resolve(__dirname, "..");
/** The file a stack's output gets under --out-dir. */
const EXTENSION: Record<FormatName, string> = { table: "txt", json: "json", markdown: "md", mermaid: "mmd", cost: "txt" };

function fail(message: string, code: number): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}

/** A stack that cannot be synthesized: exit code 2 for usage (unknown stack), 1 for config or program. */
class SynthError extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

let runs = 0;
/** The program's modules, so the next stack in this process runs `index.ts` afresh, as its own process would. */
function forgetProgram() {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(root) && !key.includes("node_modules")) delete require.cache[key];
  }
}

async function synthStack(stack: string, format: FormatName, stackFilePath?: string): Promise<string> {
  let stackFile;
  try {
    // --stack-file: a stack file outside the project's Pulumi.<stack>.yaml, e.g. one of stacks/examples/.
    stackFile = readStackFile(root, stack, stackFilePath === undefined ? undefined : resolve(process.cwd(), stackFilePath));
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
  for (const w of boundary.warnings) process.stderr.write(`warning: ${w}\n`);
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
      if (runs++ > 0) forgetProgram();
      return require("../index");
    },
  });
  manifest.cost = costSection(stack, prepared.config);
  return formats[format](manifest);
}

// Pulumi's RunError and our config errors carry a complete message; a stack trace adds nothing.
const describe = (err: unknown) =>
  err instanceof SynthError ? err.message : `synth failed: ${err instanceof Error ? (process.env.WEBSTACK_DEBUG ? err.stack : err.message) : String(err)}`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: "string", short: "f", default: "table" },
      out: { type: "string", short: "o" },
      "out-dir": { type: "string" },
      "stack-file": { type: "string" },
    },
  });
  const format = values.format as FormatName;
  if (!(format in formats)) fail(`unknown --format '${values.format}'\n${USAGE}`, 2);
  const outDir = values["out-dir"];
  if (outDir !== undefined) {
    // Several stacks in one process (snapshots, synth:diff): each to DIR/<stack>.<ext>, or its
    // error to DIR/<stack>.error; the exit code is the worst of them.
    if (positionals.length === 0 || values.out !== undefined || values["stack-file"] !== undefined) fail(USAGE, 2);
    mkdirSync(outDir, { recursive: true });
    let code = 0;
    for (const stack of positionals) {
      try {
        writeFileSync(join(outDir, `${stack}.${EXTENSION[format]}`), await synthStack(stack, format));
      } catch (err) {
        const message = describe(err);
        const exit = err instanceof SynthError ? err.code : 1;
        writeFileSync(join(outDir, `${stack}.error`), JSON.stringify({ code: exit, message }));
        process.stderr.write(`${stack}: ${message}\n`);
        code = Math.max(code, exit);
      }
    }
    process.exitCode = code;
    return;
  }
  const [stack] = positionals;
  if (!stack || positionals.length > 1) fail(USAGE, 2);
  try {
    const text = await synthStack(stack, format, values["stack-file"]);
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
  } catch (err) {
    fail(describe(err), err instanceof SynthError ? err.code : 1);
  }
}

const report = (err: unknown) => fail(describe(err), 1);
process.on("unhandledRejection", report);
main().catch(report);
