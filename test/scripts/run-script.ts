import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScriptIO } from "../../scripts/workflow-commands";
import { ROOT } from "../harness";
import { testDir } from "../scratch";

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What the script appended to $GITHUB_OUTPUT. */
  outputs: string;
  /** What it appended to $GITHUB_STEP_SUMMARY. */
  summary: string;
}

/** Runs a script as a workflow step does (`node --require ./launcher.cjs …`), with the runner's output files. */
export function runScript(script: string, args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<ScriptRun> {
  const dir = testDir("webstack-step-");
  const output = join(dir, "output");
  const summary = join(dir, "summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--require", "./launcher.cjs", script, ...args],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...opts.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        if (err && code === -1) return reject(err);
        resolve({ code, stdout, stderr, outputs: readFileSync(output, "utf8"), summary: readFileSync(summary, "utf8") });
      },
    );
    child.stdin?.end(opts.stdin ?? "");
  });
}

/**
 * A script's exported main in this process, with the same runner files and recorded streams as
 * runScript. Each script's test keeps one runScript of the real entry (exit code, files written).
 */
export async function runInProcess(
  main: (argv: string[], io: ScriptIO) => number | Promise<number>,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<ScriptRun> {
  const dir = testDir("webstack-step-");
  const output = join(dir, "output");
  const summary = join(dir, "summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    env: { ...process.env, ...opts.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdin: () => opts.stdin ?? "",
  });
  const run = { code, stdout, stderr, outputs: readFileSync(output, "utf8"), summary: readFileSync(summary, "utf8") };
  rmSync(dir, { recursive: true, force: true });
  return run;
}
