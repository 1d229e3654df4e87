import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runMain, stepIO, stepMain } from "./workflow-commands";

export type DriftResult = "clean" | "drift" | "failed";

/**
 * What `pulumi preview --refresh --expect-no-changes` found. Exit 0 is no drift; a non-zero exit
 * is drift only when the CLI says changes were proposed (older CLIs: "no changes were expected but
 * changes were proposed", newer: "... expected for preview but ..."). Any other failure (a
 * provider error, a bad token) is a failed check, not drift.
 */
export function classifyPreview(exitCode: number, log: string): DriftResult {
  if (exitCode === 0) return "clean";
  return /no changes were expected (?:for \S+ )?but changes were proposed/.test(log) ? "drift" : "failed";
}

// GitHub takes at most 1 MiB of summary per step; leave room for the heading.
const MAX_LOG_BYTES = 900_000;

/** The log without colour codes, cut in the middle when too long (the diff leads, the error ends it). */
export function clipLog(log: string, maxBytes = MAX_LOG_BYTES): string {
  const plain = log.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const bytes = Buffer.from(plain, "utf8");
  if (bytes.length <= maxBytes) return plain;
  const half = Math.floor(maxBytes / 2);
  const cut = bytes.length - 2 * half;
  // Decoding a cut multi-byte character yields U+FFFD: harmless in a log.
  return `${bytes.subarray(0, half).toString("utf8")}\n… ${cut} bytes cut; the whole log is in the step's output …\n${bytes.subarray(bytes.length - half).toString("utf8")}`;
}

/** A fence longer than any backtick run in the text, so the log cannot close it. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

export interface DriftInput {
  stack: string;
  commit: string;
  version: string;
  exitCode: number;
  log: string;
}

/** The job-summary section of one drift check: verdict, the commit compared with, and the diff. */
export function driftSummary(input: DriftInput): { result: DriftResult; markdown: string } {
  const result = classifyPreview(input.exitCode, input.log);
  const title = { clean: "no drift", drift: "drift found", failed: "drift check failed" }[result];
  const what = {
    clean: "The cloud matches the code of the last successful update.",
    drift: "The cloud differs from the code of the last successful update: someone changed it outside Pulumi, or a provider changed a default. The diff below is what `pulumi up` of that commit would change back.",
    failed: `\`pulumi preview\` failed (exit ${input.exitCode}) before it could compare; this is not drift. The log below says why.`,
  }[result];
  const update = input.version ? `update ${input.version}, ` : "";
  const log = clipLog(input.log);
  const f = fence(log);
  const body = `${f}text\n${log.trimEnd()}\n${f}`;
  const markdown = [
    `## \`${input.stack}\`: ${title}`,
    "",
    `Compared with commit \`${input.commit.slice(0, 12)}\` (${update}the last successful \`pulumi up\`). ${what}`,
    "",
    result === "clean" ? `<details><summary>pulumi preview</summary>\n\n${body}\n\n</details>` : body,
    "",
  ].join("\n");
  return { result, markdown };
}

/**
 * `drift-report.ts --stack S --commit SHA [--version N] --exit-code CODE <preview.log>` appends the
 * report to the job summary (whatever the preview did), sets the output `result`, and exits 1
 * unless the stack is clean, so the run fails on drift and on a failed check alike.
 */
export const main = stepMain((argv, script) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stack: { type: "string" }, commit: { type: "string" }, version: { type: "string" }, "exit-code": { type: "string" } },
  });
  const code = Number(values["exit-code"]);
  if (!values.stack || !values.commit || values["exit-code"] === undefined || !Number.isInteger(code) || positionals.length !== 1) {
    throw new Error("usage: drift-report.ts --stack <stack> --commit <sha> [--version <n>] --exit-code <code> <preview.log>");
  }
  const { result, markdown } = driftSummary({
    stack: values.stack,
    commit: values.commit,
    version: values.version ?? "",
    exitCode: code,
    log: readFileSync(positionals[0]!, "utf8"),
  });
  const io = stepIO(script.env, script.stdout);
  io.summary(markdown);
  io.output("result", result);
  if (result === "drift") io.annotate("error", `${values.stack} has drifted from commit ${values.commit.slice(0, 7)}; the diff is in the job summary.`);
  if (result === "failed") io.annotate("error", `the drift check of ${values.stack} failed (exit ${code}); the log is in the job summary.`);
  return result === "clean" ? 0 : 1;
});

if (require.main === module) runMain(main);
