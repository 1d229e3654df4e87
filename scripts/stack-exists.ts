import { readFileSync } from "node:fs";
import { runMain, stepIO, stepMain } from "./workflow-commands";

/**
 * Reads the outcome of `pulumi stack select <stack>`. Only the CLI's own "no stack named '…'
 * found" for this stack means absent; anything else (an expired token, the network, a backend
 * outage) throws, so a destroy is never skipped, and a stack never leaked, on a guess.
 */
export function stackExists(qualified: string, exitCode: number, stderr: string): boolean {
  if (!Number.isInteger(exitCode)) throw new Error(`expected the exit code of 'pulumi stack select', got '${String(exitCode)}'`);
  if (exitCode === 0) return true;
  const named = [...stderr.matchAll(/no stack named '([^']+)' found/g)].map((m) => m[1]!);
  // The CLI prints the name as given or shortened to the current org/project (e.g. `pr-12`).
  // Old CLIs append "did you forget to 'pulumi login'?": that is a login problem, not absence.
  const loggedOut = /pulumi login/.test(stderr);
  if (named.length > 0 && !loggedOut && named.every((n) => spellings(qualified).includes(n))) return false;
  const detail = stderr.trim() || "(no output)";
  throw new Error(`cannot tell whether ${qualified} exists: 'pulumi stack select' exited ${exitCode}: ${detail}`);
}

/** `org/project/stack`, `project/stack`, `org/stack` and `stack`, as the CLI may print it. */
function spellings(qualified: string): string[] {
  const parts = qualified.split("/");
  const stack = parts[parts.length - 1]!;
  const out = new Set([qualified, stack]);
  if (parts.length === 3) {
    out.add(`${parts[1]}/${stack}`);
    out.add(`${parts[0]}/${stack}`);
  }
  return [...out];
}

/**
 * `stack-exists.ts <org/project/stack> <exit-code> <stderr-file>` sets the step output
 * `exists` (true|false); any error other than "no stack named" fails the step and says why.
 */
export const main = stepMain((argv, script) => {
  const [stack, code, file] = argv;
  if (!stack || code === undefined || !file || argv.length !== 3) throw new Error("usage: stack-exists.ts <stack> <exit-code> <stderr-file>");
  const exists = stackExists(stack, code.trim() === "" ? Number.NaN : Number(code), readFileSync(file, "utf8"));
  const io = stepIO(script.env, script.stdout);
  io.output("exists", String(exists));
  if (!exists) io.annotate("notice", `${stack} does not exist: nothing to destroy.`);
  return 0;
});

if (require.main === module) runMain(main);
