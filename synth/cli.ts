import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { costSection } from "../cost/section";
import { formats, type FormatName } from "./format";
import { boundaryReport } from "./boundary";
import { prepareStack } from "./prepare";
import { synthesize } from "./run";
import { otherStackClaims, readStackFile, UnknownStackError } from "./stack-file";

const USAGE = "usage: npm run synth -- <stack> [--stack-file PATH] [--format table|json|markdown|mermaid|cost] [--out FILE]";
const root = resolve(__dirname, "..");

function fail(message: string, code: number): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { format: { type: "string", short: "f", default: "table" }, out: { type: "string", short: "o" }, "stack-file": { type: "string" } },
  });
  const [stack] = positionals;
  if (!stack || positionals.length > 1) fail(USAGE, 2);
  const format = values.format as FormatName;
  if (!(format in formats)) fail(`unknown --format '${values.format}'\n${USAGE}`, 2);

  let stackFile;
  try {
    // --stack-file: a stack file outside the project's Pulumi.<stack>.yaml, e.g. one of stacks/examples/.
    stackFile = readStackFile(root, stack, values["stack-file"] === undefined ? undefined : resolve(process.cwd(), values["stack-file"]));
  } catch (err) {
    if (err instanceof UnknownStackError) fail(err.message, 2);
    throw err;
  }
  // Every other stack file too: a host name belongs to one stack.
  const prepared = prepareStack(stackFile, otherStackClaims(root, stack));
  if (!prepared.ok) {
    fail(
      `Invalid configuration in ${values["stack-file"] ?? `Pulumi.${stack}.yaml`} (${prepared.errors.length} problem${prepared.errors.length === 1 ? "" : "s"}):\n` +
        prepared.errors.map((e) => `  ${e}`).join("\n"),
      1,
    );
  }
  // What only the other stack files can tell: a production stack read from below, and secrets providers that differ.
  const boundary = boundaryReport(root, stack, prepared.stackFile.project, prepared.config);
  for (const w of boundary.warnings) process.stderr.write(`warning: ${w}\n`);
  if (boundary.errors.length > 0) {
    fail(`Invalid configuration in Pulumi.${stack}.yaml (${boundary.errors.length} problem${boundary.errors.length === 1 ? "" : "s"}):\n` + boundary.errors.map((e) => `  ${e}`).join("\n"), 1);
  }
  const { project, config, secretKeys } = prepared.stackFile;
  const org = JSON.parse(config[`${project}:app`] ?? "{}").pulumiOrg as string | undefined;
  const manifest = await synthesize({
    project,
    stack,
    organization: org,
    config,
    secretKeys,
    program: () => require("../index"),
  });
  manifest.cost = costSection(stack, prepared.config);
  const text = formats[format](manifest);
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}

// Pulumi's RunError and our config errors carry a complete message; a stack trace adds nothing.
const report = (err: unknown) =>
  fail(`synth failed: ${err instanceof Error ? (process.env.WEBSTACK_DEBUG ? err.stack : err.message) : String(err)}`, 1);
process.on("unhandledRejection", report);
main().catch(report);
