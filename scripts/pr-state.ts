import { parseArgs } from "node:util";
import { answerProblem, runnerGitHub, type GitHubAnswer } from "./github-api";
import { runMain, stepIO, stepMain } from "./workflow-commands";

export type Wanted = "open" | "closed";

export interface StateCheck {
  proceed: boolean;
  /** Why not, for the run's notice. */
  message?: string;
}

/**
 * Re-checks a pull request's state right before a PR stack is created or destroyed, inside the
 * stack's concurrency group, where no other update or destroy of it can run:
 * - before `pulumi up` the PR must still be open: a close that overtook its open (its destroy ran
 *   first and found nothing) must not leave a stack behind;
 * - before `pulumi destroy` it must still be closed: a PR reopened since the close, or since the
 *   reaper listed it, keeps its fresh stack.
 * Any answer that is not a clear "open" or "closed" about this PR throws: nothing is done on a guess.
 */
export function recheck(pr: number, want: Wanted, answer: GitHubAnswer): StateCheck {
  const body = (answer.body ?? {}) as { number?: unknown; state?: unknown };
  if (answer.status !== 200) throw new Error(`${answerProblem(`#${pr}`, answer)}; not acting on a guess`);
  if (body.number !== pr) throw new Error(`GitHub answered for #${String(body.number)} when asked about #${pr}`);
  if (body.state !== "open" && body.state !== "closed") throw new Error(`pull request #${pr} has the unknown state '${String(body.state)}'`);
  if (body.state === want) return { proceed: true };
  return want === "open"
    ? { proceed: false, message: `pull request #${pr} was closed before its stack was created: no stack (its destroy has run or will find nothing)` }
    : { proceed: false, message: `pull request #${pr} was reopened: its stack is kept` };
}

/**
 * `pr-state.ts --pr N --want open|closed` sets the step output `proceed` (true|false), with a
 * notice when not. Reads GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL.
 */
export const main = stepMain(async (argv, script) => {
  const { values } = parseArgs({ args: argv, options: { pr: { type: "string" }, want: { type: "string" } } });
  const pr = Number(values.pr);
  if (!Number.isInteger(pr) || pr <= 0 || (values.want !== "open" && values.want !== "closed")) {
    throw new Error("usage: pr-state.ts --pr <n> --want open|closed");
  }
  const { repo, get } = runnerGitHub(script.env);
  const check = recheck(pr, values.want, await get(`/repos/${repo}/pulls/${pr}`));
  const io = stepIO(script.env, script.stdout);
  io.output("proceed", String(check.proceed));
  if (check.message) io.annotate("notice", check.message);
  return 0;
});

if (require.main === module) runMain(main);
