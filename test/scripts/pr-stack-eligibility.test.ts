import { describe, expect, it } from "vitest";
import { branchClaims, prStackSkipReason, type PullRequestFacts } from "../../scripts/pr-stack-eligibility";
import { ROOT } from "../harness";
import { runScript } from "./run-script";

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
