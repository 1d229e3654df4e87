import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { branchClaims, branchProblem, main, openPullNumbers, prStackSkipReason, type PullRequestFacts } from "../../scripts/pr-stack-eligibility";
import { PREVIEW_TEMPLATE } from "../../synth/stack-file";
import { startGitHubStandIn, type GitHubStandIn } from "./github-stand-in";
import { ROOT } from "../harness";
import { runInProcess, runScript } from "./run-script";

const claims = branchClaims(ROOT);
const pr = (over: Partial<PullRequestFacts> = {}): PullRequestFacts => ({
  number: 12,
  headRef: "feature/login",
  headRepo: "acme/ott",
  baseRepo: "acme/ott",
  author: "alice",
  ...over,
});

describe("which PRs get a pr-<n> stack", () => {
  it("collects every branch the committed stacks deploy: long-lived branches, main services, branch services", () => {
    // The first claim of a branch is the one a skip reason names.
    const byBranch: Record<string, string> = {};
    for (const c of claims) byBranch[c.branch] ??= `${c.stack}: ${c.as}`;
    expect(byBranch).toMatchObject({
      main: "prod: its long-lived branch",
      staging: "staging: its long-lived branch",
      develop: "dev: its long-lived branch",
      alice: "dev: branch service 'alice' (webstack:backend.branches)",
      bob: "dev: branch service 'bob' (webstack:backend.branches)",
    });
    expect(claims).toContainEqual({ branch: "develop", stack: "dev", as: "its frontend previews" });
    expect(claims).toContainEqual({ branch: "staging", stack: "staging", as: "the domain preview.ott.example.com" });
  });

  it("a feature branch of this repository gets one", () => {
    expect(prStackSkipReason(pr(), claims)).toBeUndefined();
    expect(prStackSkipReason(pr({ headRef: "alice/spike" }), claims)).toBeUndefined();
  });

  it("a developer's branch-service branch does not: dev already owns its Vercel variables", () => {
    expect(prStackSkipReason(pr({ headRef: "alice" }), claims)).toBe(
      "No PR stack for #12: branch `alice` already deploys to stack `dev` (branch service 'alice' (webstack:backend.branches)). " +
        "A PR stack would add Vercel preview variables for the same git branch, which `dev` owns (Vercel refuses them with `ENV_ALREADY_EXISTS`). " +
        "This branch's deployment is `dev`'s.",
    );
  });

  it("nor does a promotion PR, a fork or Dependabot, each with its reason", () => {
    expect(prStackSkipReason(pr({ headRef: "develop" }), claims)).toMatch(/^No PR stack for #12: branch `develop` already deploys to stack `dev` \(its long-lived branch\)/);
    expect(prStackSkipReason(pr({ headRepo: "mallory/ott" }), claims)).toMatch(/^No PR stack for #12: it comes from the fork `mallory\/ott`, and fork PRs get no secrets/);
    expect(prStackSkipReason(pr({ headRepo: "" }), claims)).toMatch(/it comes from a deleted fork/);
    expect(prStackSkipReason(pr({ author: "dependabot[bot]", headRef: "dependabot/npm_and_yarn/zod-4.7.0" }), claims)).toMatch(
      /^No PR stack for #12: GitHub runs Dependabot's PRs with Dependabot secrets only/,
    );
  });

  it("a branch service added later is picked up from the stack file, not from a list in the workflow", () => {
    const more = [...claims, { branch: "carol", stack: "dev", as: "branch service 'carol' (webstack:backend.branches)" }];
    expect(prStackSkipReason(pr({ headRef: "carol" }), claims)).toBeUndefined();
    expect(prStackSkipReason(pr({ headRef: "carol" }), more)).toMatch(/branch `carol` already deploys to stack `dev`/);
  });

  it("the command sets create and reason, with a notice when skipping", async () => {
    const run = await runScript("scripts/pr-stack-eligibility.ts", ["--pr", "12", "--head", "bob", "--head-repo", "acme/ott", "--base-repo", "acme/ott", "--author", "bob"]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatch(/^create=false\nreason=No PR stack for #12: branch `bob` already deploys to stack `dev`.*\n$/);
    expect(run.stdout).toMatch(/^::notice::No PR stack for #12: branch `bob`/);
  });
});

describe("branch names the config refuses, and one stack per head branch", () => {
  let gh: GitHubStandIn;
  beforeAll(async () => void (gh = await startGitHubStandIn()));
  afterAll(() => gh.close());
  const template = readFileSync(join(ROOT, PREVIEW_TEMPLATE), "utf8");

  it("applies the config's branch-name rule: valid git branches the schema refuses get a reason, not a red job", () => {
    const long = `feature/${"x".repeat(100)}`;
    for (const head of ["renovate/@types-node-20.x", "fix#12", long]) {
      const problem = branchProblem(template, 12, head);
      expect(problem, head).toBe("expected a git branch name");
      expect(prStackSkipReason(pr({ headRef: head, branchProblem: problem }), claims)).toBe(
        `No PR stack for #12: branch \`${head}\` cannot be a stack's branch (expected a git branch name). ` +
          "Push the work to a branch named with letters, digits, '.', '_', '/' and '-' only, at most 100 characters, to get one. The tests and the offline synth diff still run.",
      );
    }
    expect(branchProblem(template, 12, "feature/login")).toBeUndefined();
  });

  it("the oldest open PR from a branch keeps its stack; a second PR from it gets a reason", async () => {
    const open = openPullNumbers((gh.openPulls["acme:feature/search"])!, "feature/search");
    expect(open).toEqual([21, 24]);
    expect(prStackSkipReason(pr({ number: 21, headRef: "feature/search", openFromHead: open }), claims)).toBeUndefined();
    expect(prStackSkipReason(pr({ number: 24, headRef: "feature/search", openFromHead: open }), claims)).toBe(
      "No PR stack for #24: branch `feature/search` already has the stack `pr-21` of the older PR #21, and one branch gets one stack. This PR gets its own when #21 closes and it is pushed again.",
    );
    expect(() => openPullNumbers(gh.openPulls["acme:feature/rate-limited"]!, "feature/rate-limited")).toThrow(
      /^GitHub answered 403 about the open PRs from feature\/rate-limited: API rate limit exceeded/,
    );
  });

  it("the command asks GitHub only when the PR could get a stack, and says why in one notice", async () => {
    const env = { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: "acme/ott", GITHUB_TOKEN: "ghs_test" };
    const args = (n: number, head: string) => ["--pr", String(n), "--head", head, "--head-repo", "acme/ott", "--base-repo", "acme/ott", "--author", "dave"];
    // In-process: the entry is proven by the run above.
    const [renovate, second, first] = await Promise.all([
      runInProcess(main, args(40, "renovate/@types-node-20.x"), { env }),
      runInProcess(main, args(24, "feature/search"), { env }),
      runInProcess(main, args(21, "feature/search"), { env }),
    ]);
    expect(renovate.code).toBe(0);
    expect(renovate.outputs).toMatch(/^create=false\nreason=No PR stack for #40: branch `renovate\/@types-node-20\.x` cannot be a stack's branch/);
    expect(renovate.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(second.outputs).toMatch(/^create=false\nreason=No PR stack for #24: branch `feature\/search` already has the stack `pr-21`/);
    expect(first.outputs).toBe("create=true\nreason=\n");
    expect(gh.requests.filter((r) => r.includes("state=open"))).toEqual([
      "GET /repos/acme/ott/pulls?state=open&per_page=100&head=acme%3Afeature%2Fsearch Bearer ghs_test",
      "GET /repos/acme/ott/pulls?state=open&per_page=100&head=acme%3Afeature%2Fsearch Bearer ghs_test",
    ]);
  });
});
