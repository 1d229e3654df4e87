import { describe, expect, it } from "vitest";
import { BRANCH_STACKS } from "../../scripts/branch-stack";
import { environmentOf, expand, stepIndex, workflow, type Job } from "./workflows";

const GUARD = "steps.head.outputs.deploy == 'true'";

/** Problems with the stale-SHA guard of a deploy job: it must run right before, and gate, every step after it. */
function guardProblems(job: Job): string[] {
  const guard = stepIndex(job, (s) => s.run?.includes("scripts/branch-head.ts") ?? false);
  const up = stepIndex(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up");
  if (guard < 0) return ["no step runs scripts/branch-head.ts"];
  if (up < 0) return ["no pulumi up step"];
  const problems: string[] = [];
  const g = job.steps[guard]!;
  if (g.id !== "head") problems.push("the guard step's id is not 'head'");
  if (!/git ls-remote origin "\$REF" \| .*--ref "\$REF" --sha "\$SHA"/.test(g.run!) || g.env?.REF !== "${{ github.ref }}" || g.env?.SHA !== "${{ github.sha }}") {
    problems.push("the guard does not compare origin's branch with github.sha");
  }
  if (guard > up) problems.push("the guard runs after pulumi up");
  job.steps.slice(guard + 1).forEach((s, i) => {
    if (!s.if?.includes(GUARD)) problems.push(`step ${guard + 1 + i} (${s.name ?? s.uses ?? s.run}) runs even when the run is stale`);
  });
  return problems;
}

describe("deploy.yml deploys only the branch head", () => {
  const wf = workflow("deploy.yml");
  const up = wf.jobs.up!;

  it("runs on each long-lived branch, and on demand to redeploy a stack", () => {
    expect(wf.on.push.branches).toEqual(BRANCH_STACKS.map((t) => t.branch));
    expect(wf.on).toHaveProperty("workflow_dispatch");
    // The stack comes from the full ref, so a dispatch on a tag named `main` deploys nothing.
    expect(wf.jobs.target!.steps.find((s) => s.id === "target")!.env?.REF).toBe("${{ github.ref }}");
  });

  it("one run per branch at the workflow level, so tests of a newer push cannot overtake into `pulumi up`", () => {
    expect(wf.concurrency).toEqual({ group: "deploy-${{ github.ref }}", "cancel-in-progress": false });
    const groups = BRANCH_STACKS.map((t) => expand(wf.concurrency!.group, { "github.ref": `refs/heads/${t.branch}` }));
    expect(new Set(groups).size).toBe(BRANCH_STACKS.length);
  });

  it("the update job holds its stack's group and is never cancelled half-way", () => {
    expect(up.concurrency).toEqual({ group: "pulumi-${{ needs.target.outputs.stack }}", "cancel-in-progress": false });
    expect(environmentOf(up)).toBe("${{ needs.target.outputs.environment }}");
  });

  it("checks, right before pulumi up, that the branch still points at github.sha, and skips otherwise", () => {
    expect(guardProblems(up)).toEqual([]);
    const pulumiUp = up.steps.find((s) => s.with?.command === "up")!;
    expect(pulumiUp.with).toMatchObject({ "stack-name": "${{ needs.target.outputs.qualified }}", message: "${{ github.sha }}" });
  });

  it("the guard check fails a job where a step escapes it or the guard comes too late", () => {
    const guard = { id: "head", run: 'git ls-remote origin "$REF" | node scripts/branch-head.ts --ref "$REF" --sha "$SHA"', env: { REF: "${{ github.ref }}", SHA: "${{ github.sha }}" } };
    const pulumiUp = { uses: "pulumi/actions@v6", if: GUARD, with: { command: "up" } };
    const backup = { name: "backup", run: "webstack backup" };
    expect(guardProblems({ steps: [guard, backup, pulumiUp] })).toEqual(["step 1 (backup) runs even when the run is stale"]);
    expect(guardProblems({ steps: [pulumiUp, guard] })).toEqual(["the guard runs after pulumi up"]);
    expect(guardProblems({ steps: [{ ...guard, env: { REF: "${{ github.ref }}", SHA: "${{ github.event.before }}" } }, pulumiUp] })).toEqual([
      "the guard does not compare origin's branch with github.sha",
    ]);
    expect(guardProblems({ steps: [pulumiUp] })).toEqual(["no step runs scripts/branch-head.ts"]);
  });
});
