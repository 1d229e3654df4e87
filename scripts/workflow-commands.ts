import { appendFileSync, readFileSync } from "node:fs";

/** Escapes a workflow-command message the way the runner decodes it (%, CR and LF). */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** `::notice::…`: an annotation on the run (and in a PR's checks). */
export function annotation(kind: "notice" | "warning" | "error", message: string): string {
  return `::${kind}::${escapeCommandData(message)}\n`;
}

/** One `$GITHUB_OUTPUT` entry; a multi-line value uses the delimiter form. */
export function outputEntry(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  let delimiter = "WEBSTACK_EOF";
  while (value.includes(delimiter)) delimiter += "_";
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Where a script's step outputs, summary and annotations go. */
export interface StepIO {
  output(name: string, value: string): void;
  summary(markdown: string): void;
  annotate(kind: "notice" | "warning" | "error", message: string): void;
}

/**
 * The runner's files when the script runs in a workflow step; stdout otherwise (a local run),
 * so `key=value` lines and the summary stay readable there.
 */
export function stepIO(env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (t) => void process.stdout.write(t)): StepIO {
  const to = (file: string | undefined, text: string) => (file ? appendFileSync(file, text) : write(text));
  return {
    output: (name, value) => to(env.GITHUB_OUTPUT, outputEntry(name, value)),
    summary: (markdown) => to(env.GITHUB_STEP_SUMMARY, markdown.endsWith("\n") ? markdown : `${markdown}\n`),
    annotate: (kind, message) => write(annotation(kind, message)),
  };
}

/** What a script reads and writes: the process's own, or a caller's (the tests run a main in-process). */
export interface ScriptIO {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, read whole; only when a script asks for it. */
  stdin(): string;
}

/** This process's environment and streams. */
export function processIO(): ScriptIO {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdin: () => readFileSync(0, "utf8"),
  };
}

/** A script's main: its arguments and IO in, its exit code out. */
export type ScriptMain = (argv: string[], io: ScriptIO) => number | Promise<number>;

/** A step's main whose Error becomes an `::error::` annotation and exit code 1, as a workflow step shows it. */
export function stepMain(main: ScriptMain): (argv: string[], io: ScriptIO) => Promise<number> {
  return async (argv, io) => {
    try {
      return await main(argv, io);
    } catch (err: unknown) {
      io.stdout(annotation("error", err instanceof Error ? err.message : String(err)));
      return 1;
    }
  };
}

/** The entry of a script run as a step: its main with this process's arguments and IO; its result the exit code. */
export function runMain(main: (argv: string[], io: ScriptIO) => Promise<number>): void {
  void main(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
}
