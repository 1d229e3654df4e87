import { parseArgs } from "node:util";
import { runMain, stepIO, stepMain } from "./workflow-commands";

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export type HeadCheck =
  | { deploy: true; head: string }
  | { deploy: false; head: string; message: string };

/**
 * Decides whether a deploy run still holds the head of its branch, from what
 * `git ls-remote origin refs/heads/<branch>` printed. GitHub does not order runs of one
 * concurrency group, so an older commit's run may start after a newer one's: it must skip.
 * Throws (the job fails) when the output is not ls-remote's or the branch is gone.
 */
export function checkBranchHead(ref: string, sha: string, lsRemote: string): HeadCheck {
  const branch = ref.replace(/^refs\/heads\//, "");
  const wanted = sha.trim().toLowerCase();
  if (!SHA.test(wanted)) throw new Error(`expected the run's commit SHA, got '${sha}'`);
  let head: string | undefined;
  for (const line of lsRemote.split("\n")) {
    if (line.trim() === "") continue;
    const m = /^([0-9a-f]{40}|[0-9a-f]{64})\t(\S+)$/.exec(line.trimEnd());
    if (!m) throw new Error(`unexpected git ls-remote output: '${line.trim()}'`);
    // A pattern matches ref tails too (refs/heads/x/refs/heads/main): only the exact ref counts.
    if (m[2] === `refs/heads/${branch}`) head = m[1];
  }
  if (head === undefined) throw new Error(`origin has no branch '${branch}'; not deploying ${wanted.slice(0, 7)}`);
  if (head === wanted) return { deploy: true, head };
  return {
    deploy: false,
    head,
    message:
      `${branch} has moved from ${wanted.slice(0, 7)} to ${head.slice(0, 7)} since this run started: ` +
      `pulumi up skipped, so this older commit cannot deploy over a newer one. The run of ${head.slice(0, 7)} deploys it.`,
  };
}

/**
 * `git ls-remote origin <ref> | branch-head.ts --ref <ref> --sha <sha>` sets the step outputs
 * `deploy` (true|false) and `head`, with a notice when the run is stale.
 */
export const main = stepMain((argv, script) => {
  const { values } = parseArgs({ args: argv, options: { ref: { type: "string" }, sha: { type: "string" } } });
  if (!values.ref || !values.sha) throw new Error("usage: git ls-remote origin <ref> | branch-head.ts --ref <ref> --sha <sha>");
  const check = checkBranchHead(values.ref, values.sha, script.stdin());
  const io = stepIO(script.env, script.stdout);
  io.output("deploy", String(check.deploy));
  io.output("head", check.head);
  if (!check.deploy) io.annotate("notice", check.message);
  return 0;
});

if (require.main === module) runMain(main);
