import { resolve } from "node:path";
import { rawSections } from "../config/raw";
import { readStackFile } from "../synth/stack-file";
import { processIO, type ScriptIO } from "./workflow-commands";

/** A long-lived stack and the git branch that deploys it. */
export interface BranchTarget {
  branch: string;
  stack: string;
  /** The GitHub environment of the deploy job; protection rules (approvals) live there. */
  githubEnvironment: string;
  /**
   * The GitHub environment of the drift check: no reviewers (a drift run never waits for an
   * approval while it holds the stack's concurrency group), read-only credentials where the
   * providers offer them, and the same deployment-branch rule.
   */
  driftEnvironment: string;
}

/** The branch strategy: one long-lived branch per long-lived stack. Everything else is a PR stack. */
export const BRANCH_STACKS: readonly BranchTarget[] = [
  { branch: "main", stack: "prod", githubEnvironment: "production", driftEnvironment: "production-drift" },
  { branch: "staging", stack: "staging", githubEnvironment: "staging", driftEnvironment: "staging-drift" },
  { branch: "develop", stack: "dev", githubEnvironment: "development", driftEnvironment: "development-drift" },
];

/**
 * The stack a branch deploys, or undefined for a feature branch. Accepts `refs/heads/<branch>`
 * too, as `github.ref` gives it; any other ref (`refs/tags/main`) deploys nothing.
 */
export function stackForBranch(ref: string): BranchTarget | undefined {
  if (ref.startsWith("refs/") && !ref.startsWith("refs/heads/")) return undefined;
  const branch = ref.replace(/^refs\/heads\//, "");
  return BRANCH_STACKS.find((t) => t.branch === branch);
}

/** The short-lived stack of pull request `n`. */
export function previewStackName(pr: number | string): string {
  const n = String(pr);
  if (!/^[1-9]\d*$/.test(n)) throw new Error(`expected a pull-request number, got '${n}'`);
  return `pr-${n}`;
}

/**
 * `org/project/stack`, as the CLI takes it. On Pulumi Cloud (no backend URL, or an http(s) one
 * such as a self-hosted Pulumi Cloud) the org comes from the stack's own config; a DIY backend
 * (`s3://`, `gs://`, `azblob://`, `file://`) only knows the fixed org `organization`.
 */
export function qualifiedStackName(root: string, stack: string, backendUrl = ""): string {
  const file = readStackFile(root, stack);
  if (backendUrl !== "" && !/^https?:\/\//i.test(backendUrl)) return `organization/${file.project}/${stack}`;
  const app = rawSections(file.config).app as { pulumiOrg?: unknown } | undefined;
  if (typeof app?.pulumiOrg !== "string") throw new Error(`${stack}: webstack:app.pulumiOrg is not set`);
  return `${app.pulumiOrg}/${file.project}/${stack}`;
}

/**
 * `branch-stack.ts <branch>` or `branch-stack.ts --pr <n>` prints `key=value` lines for
 * `$GITHUB_OUTPUT`: `stack`, `qualified` (org/project/stack, for the backend in
 * PULUMI_BACKEND_URL), `environment` and `drift_environment`. A branch that deploys no stack (a feature branch,
 * a tag) prints `stack=` (empty), so a job can skip on it.
 */
export function main(argv: string[], io: ScriptIO): number {
  try {
    return branchStackLines(argv, io);
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function branchStackLines(argv: string[], io: ScriptIO): number {
  const root = resolve(__dirname, "..");
  const [first, second] = argv;
  let stack: string | undefined;
  let environment = "";
  let driftEnvironment = "";
  if (first === "--pr" && second && argv.length === 2) {
    stack = previewStackName(second);
    environment = "preview";
  } else if (first && !first.startsWith("-") && argv.length === 1) {
    const target = stackForBranch(first);
    stack = target?.stack;
    environment = target?.githubEnvironment ?? "";
    driftEnvironment = target?.driftEnvironment ?? "";
  } else {
    io.stderr("usage: branch-stack.ts <branch> | --pr <number>\n");
    return 2;
  }
  // pr-<n> stacks read the org from the template, like the synth does.
  const qualified = stack ? qualifiedStackName(root, stack, io.env.PULUMI_BACKEND_URL ?? "") : "";
  io.stdout(`stack=${stack ?? ""}\nqualified=${qualified}\nenvironment=${environment}\ndrift_environment=${driftEnvironment}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2), processIO());
