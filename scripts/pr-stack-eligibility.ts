import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { rawSections } from "../config/raw";
import { validateStackConfig } from "../config/validate";
import { listStacks, PREVIEW_TEMPLATE, readStackFile } from "../synth/stack-file";
import { BRANCH_STACKS } from "./branch-stack";
import { answerProblem, runnerGitHub, type GitHubAnswer } from "./github-api";
import { buildPreviewStack } from "./preview-stack";
import { runMain, stepIO, stepMain } from "./workflow-commands";

/** A git branch a committed stack already deploys, and how. */
export interface BranchClaim {
  branch: string;
  stack: string;
  /** e.g. "its main service", "branch service 'alice'". */
  as: string;
}

/**
 * Every branch a committed stack deploys: the long-lived branches, each stack's main service,
 * its developer branch services and the branches its frontend serves. A PR from one of them
 * must not get a stack: it would add Vercel preview variables for a git branch that stack
 * already owns, which Vercel refuses (`ENV_ALREADY_EXISTS`).
 */
export function branchClaims(root: string): BranchClaim[] {
  const claims: BranchClaim[] = BRANCH_STACKS.map((t) => ({ branch: t.branch, stack: t.stack, as: "its long-lived branch" }));
  for (const stack of listStacks(root)) {
    const result = validateStackConfig(rawSections(readStackFile(root, stack).config));
    if (!result.ok) throw new Error(`Pulumi.${stack}.yaml does not validate:\n${result.errors.join("\n")}`);
    const { backend, frontend } = result.config;
    if (backend) {
      claims.push({ branch: backend.branch, stack, as: "its main service" });
      for (const b of backend.branches) claims.push({ branch: b.branch, stack, as: `branch service '${b.name}' (webstack:backend.branches)` });
    }
    if (frontend?.branch) claims.push({ branch: frontend.branch, stack, as: "its frontend previews" });
    for (const d of frontend?.domains ?? []) if (d.gitBranch) claims.push({ branch: d.gitBranch, stack, as: `the domain ${d.domain}` });
  }
  return claims;
}

/** What GitHub says about the pull request. */
export interface PullRequestFacts {
  number: number;
  headRef: string;
  /** `owner/name` of the head repository; empty when the fork was deleted. */
  headRepo: string;
  baseRepo: string;
  /** Login of the PR's author (`user.login`). */
  author: string;
  /** Why the head branch cannot be a stack's branch (branchProblem), when it cannot. */
  branchProblem?: string;
  /** Numbers of the open PRs from the same head branch (this one included), when known. */
  openFromHead?: number[];
}

/**
 * Why the PR's head branch cannot be a stack's branch, by the config's own rules: the template
 * with the branch written in must validate (e.g. `renovate/@types-node-20.x`, `fix#12` and names
 * over 100 characters do not). Undefined when it can.
 */
export function branchProblem(templateText: string, pr: number, branch: string): string | undefined {
  try {
    buildPreviewStack(templateText, pr, branch);
    return undefined;
  } catch (err) {
    const lines = (err instanceof Error ? err.message : String(err)).split("\n").slice(1).map((l) => l.trim());
    return [...new Set(lines.map((l) => l.replace(/^webstack:(backend|frontend)\.branch: /, "")))].join("; ");
  }
}

/** The open PRs from `branch` of `repo`, from `GET /repos/{repo}/pulls?state=open&head=owner:branch`. */
export function openPullNumbers(answer: GitHubAnswer, branch: string): number[] {
  if (answer.status !== 200 || !Array.isArray(answer.body)) throw new Error(`${answerProblem(`the open PRs from ${branch}`, answer)}; cannot tell whether another PR holds its stack`);
  return (answer.body as { number?: unknown; head?: { ref?: unknown } }[])
    .filter((p) => p.head?.ref === branch && typeof p.number === "number")
    .map((p) => p.number as number)
    .sort((a, b) => a - b);
}

export const DEPENDABOT = "dependabot[bot]";

/** Why PR `pr` gets no `pr-<n>` stack (markdown, posted on the PR), or undefined when it gets one. */
export function prStackSkipReason(pr: PullRequestFacts, claims: BranchClaim[]): string | undefined {
  const no = `No PR stack for #${pr.number}:`;
  if (pr.headRepo !== pr.baseRepo) {
    return `${no} it comes from ${pr.headRepo ? `the fork \`${pr.headRepo}\`` : "a deleted fork"}, and fork PRs get no secrets. The tests and the offline synth diff still run.`;
  }
  if (pr.author === DEPENDABOT) {
    return `${no} GitHub runs Dependabot's PRs with Dependabot secrets only, not the \`preview\` environment's. The tests and the offline synth diff still run.`;
  }
  const claim = claims.find((c) => c.branch === pr.headRef);
  if (claim) {
    return (
      `${no} branch \`${pr.headRef}\` already deploys to stack \`${claim.stack}\` (${claim.as}). ` +
      `A PR stack would add Vercel preview variables for the same git branch, which \`${claim.stack}\` owns ` +
      `(Vercel refuses them with \`ENV_ALREADY_EXISTS\`). This branch's deployment is \`${claim.stack}\`'s.`
    );
  }
  if (pr.branchProblem) {
    return (
      `${no} branch \`${pr.headRef}\` cannot be a stack's branch (${pr.branchProblem}). ` +
      "Push the work to a branch named with letters, digits, '.', '_', '/' and '-' only, at most 100 characters, to get one. The tests and the offline synth diff still run."
    );
  }
  // One stack per head branch: its Vercel preview variables belong to one stack. The oldest open PR keeps it.
  const first = pr.openFromHead?.find((n) => n !== pr.number && n < pr.number);
  if (first !== undefined) {
    return `${no} branch \`${pr.headRef}\` already has the stack \`pr-${first}\` of the older PR #${first}, and one branch gets one stack. This PR gets its own when #${first} closes and it is pushed again.`;
  }
  return undefined;
}

/**
 * `pr-stack-eligibility.ts --pr N --head REF --head-repo OWNER/NAME --base-repo OWNER/NAME --author LOGIN`
 * sets the step outputs `create` (true|false) and `reason`, with a notice when skipping: a PR that
 * gets no stack is a notice and one PR comment, never a red job. Asks GitHub (GITHUB_TOKEN) for the
 * other open PRs from the same branch; an unclear answer fails the step.
 */
export const main = stepMain(async (argv, script) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      pr: { type: "string" },
      head: { type: "string" },
      "head-repo": { type: "string" },
      "base-repo": { type: "string" },
      author: { type: "string" },
    },
  });
  const number = Number(values.pr);
  if (!Number.isInteger(number) || number <= 0 || !values.head || !values["base-repo"] || values.author === undefined) {
    throw new Error("usage: pr-stack-eligibility.ts --pr <n> --head <ref> --head-repo <owner/name> --base-repo <owner/name> --author <login>");
  }
  const root = resolve(__dirname, "..");
  const facts: PullRequestFacts = { number, headRef: values.head, headRepo: values["head-repo"] ?? "", baseRepo: values["base-repo"], author: values.author };
  const claims = branchClaims(root);
  facts.branchProblem = branchProblem(readFileSync(join(root, PREVIEW_TEMPLATE), "utf8"), number, values.head);
  // GitHub is asked only when the PR would otherwise get a stack.
  if (prStackSkipReason(facts, claims) === undefined) {
    const { repo, get } = runnerGitHub(script.env);
    const owner = repo.split("/")[0]!;
    const answer = await get(`/repos/${repo}/pulls?state=open&per_page=100&head=${encodeURIComponent(`${owner}:${values.head}`)}`);
    facts.openFromHead = openPullNumbers(answer, values.head);
  }
  const reason = prStackSkipReason(facts, claims);
  const io = stepIO(script.env, script.stdout);
  io.output("create", String(reason === undefined));
  io.output("reason", reason ?? "");
  if (reason) io.annotate("notice", reason);
  return 0;
});

if (require.main === module) runMain(main);
