import { appendFileSync } from "node:fs";

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

/** Runs a script's main: an Error becomes an `::error::` annotation and exit code 1. */
export function runMain(main: () => number | Promise<number>): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stdout.write(annotation("error", err instanceof Error ? err.message : String(err)));
        process.exitCode = 1;
      },
    );
}
