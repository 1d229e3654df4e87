import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { environmentOf, expand, parse, secretsIn, workflow, workflowText, type Workflow } from "./workflows";

/**
 * Ways a `pull_request_target` workflow could run the PR's code with the base repository's
 * secrets: checking out another ref or repository, fetching PR refs, or reading the head.
 */
function prCodeProblems(wf: Workflow, text: string): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    job.steps.forEach((s, i) => {
      if (s.uses?.startsWith("actions/checkout@")) {
        if (s.with?.ref !== undefined || s.with?.repository !== undefined) problems.push(`${id} step ${i}: checks out ${String(s.with?.repository ?? "")}@${String(s.with?.ref ?? "")}`);
        if (s.with?.["persist-credentials"] !== false) problems.push(`${id} step ${i}: leaves the token in .git/config`);
      }
      if (/git (fetch|checkout|pull|switch)|gh pr checkout/.test(s.run ?? "")) problems.push(`${id} step ${i}: runs git on other refs`);
    });
  }
  for (const m of text.matchAll(/github\.event\.pull_request\.head\.(ref|sha|label)|refs\/pull\/|github\.head_ref/g)) problems.push(`refers to ${m[0]}`);
  return problems;
}

describe("PR stacks: created on push, destroyed however the PR closes", () => {
  const up = workflow("pr-stack.yml");
  const destroy = workflow("pr-stack-destroy.yml");
  const destroyText = workflowText("pr-stack-destroy.yml");

  it("pr-stack.yml only creates and updates; closing is pr-stack-destroy.yml's", () => {
    expect(up.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened"] } });
    expect(destroy.on.pull_request_target).toEqual({ types: ["closed"] });
    expect(destroy.on).not.toHaveProperty("pull_request");
    expect(destroy.on).toHaveProperty("workflow_dispatch");
  });

  it("an update and a destroy of one PR stack share one group, and neither cancels the other", () => {
    for (const pr of ["7", "1234"]) {
      expect(expand(up.concurrency!.group, { "github.event.pull_request.number": pr })).toBe(`pulumi-pr-${pr}`);
      expect(expand(destroy.jobs.destroy!.concurrency!.group, { "matrix.pr": pr })).toBe(`pulumi-pr-${pr}`);
    }
    expect(up.concurrency!["cancel-in-progress"]).toBe(false);
    expect(destroy.jobs.destroy!.concurrency!["cancel-in-progress"]).toBe(false);
  });

  it("decides without secrets who gets a stack, and says why in the PR when not", () => {
    const { plan, notice, up: upJob } = up.jobs;
    expect(secretsIn(plan)).toEqual([]);
    expect(plan!.steps.find((s) => s.id === "plan")!.run).toContain("scripts/pr-stack-eligibility.ts");
    expect(upJob!.needs).toBe("plan");
    expect(upJob!.if).toBe("needs.plan.outputs.create == 'true'");
    expect(environmentOf(upJob!)).toBe("preview");
    expect(notice!.if).toBe("needs.plan.outputs.create == 'false'");
    expect(notice!.steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(notice!.steps[0]!.env?.REASON).toBe("${{ needs.plan.outputs.reason }}");
    expect(notice!.permissions).toEqual({ "pull-requests": "write" });
  });

  it("destroys on pull_request_target without ever checking out or reading the PR's code", () => {
    expect(prCodeProblems(destroy, destroyText)).toEqual([]);
    expect(destroy.permissions).toEqual({ contents: "read" });
  });

  it("the PR-code check catches a checkout of the PR head, a PR ref fetch, and a kept token", () => {
    const bad = `
name: bad
on: { pull_request_target: { types: [closed] } }
jobs:
  destroy:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.event.pull_request.head.sha }}", persist-credentials: false }
      - uses: actions/checkout@v4
      - run: git fetch origin pull/12/head
`;
    expect(prCodeProblems(parse(bad), bad)).toEqual([
      "destroy step 0: checks out @${{ github.event.pull_request.head.sha }}",
      "destroy step 1: leaves the token in .git/config",
      "destroy step 2: runs git on other refs",
      "refers to github.event.pull_request.head.sha",
    ]);
  });

  it("destroys from the state and the committed template: no stack file regenerated from the branch name", () => {
    const job = destroy.jobs.destroy!;
    expect(environmentOf(job)).toBe("preview");
    expect(JSON.stringify(job)).not.toContain("preview-stack.ts");
    const exists = job.steps.find((s) => s.id === "exists")!;
    expect(exists.run).toContain('pulumi stack select "$STACK" --non-interactive 2> select.err || code=$?');
    expect(exists.run).toContain('scripts/stack-exists.ts "$STACK" "$code" select.err');
    const run = job.steps.find((s) => s.run?.includes("pulumi destroy"))!;
    expect(run.if).toBe("steps.exists.outputs.exists == 'true'");
    expect(run.run).toMatch(/pulumi destroy --stack "\$STACK" --config-file stacks\/preview\.yaml --yes/);
    expect(run.run).toContain('pulumi stack rm "$STACK" --yes');
  });

  it("on close: every same-repository PR but Dependabot's; nightly: what the reaper found", () => {
    const job = destroy.jobs.destroy!;
    expect(job.if).toContain("!cancelled()");
    expect(job.if).toContain("github.event.pull_request.user.login != 'dependabot[bot]'");
    expect(job.if).toContain("needs.closed-stacks.outputs.prs != '[]'");
    expect(job.strategy?.matrix?.pr).toBe(
      "${{ fromJSON(github.event_name == 'pull_request_target' && format('[{0}]', github.event.pull_request.number) || needs.closed-stacks.outputs.prs) }}",
    );
    expect(job.strategy).toMatchObject({ "fail-fast": false });
  });

  it("a nightly reaper finds every pr-<n> stack whose PR is closed, with the preview credentials", () => {
    expect(destroy.on.schedule).toHaveLength(1);
    const cron = new Cron(destroy.on.schedule[0].cron, { paused: true, timezone: "UTC" });
    const runs = cron.nextRuns(2, new Date("2026-01-01T00:00:00Z"));
    expect(runs[1]!.getTime() - runs[0]!.getTime()).toBe(24 * 3600 * 1000);
    const reaper = destroy.jobs["closed-stacks"]!;
    expect(reaper.if).toBe("github.event_name != 'pull_request_target'");
    expect(environmentOf(reaper)).toBe("preview");
    expect(reaper.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    const step = reaper.steps.find((s) => s.id === "closed")!;
    expect(step.run).toContain("pulumi stack ls --json --non-interactive > stacks.json");
    expect(step.run).toContain("scripts/closed-pr-stacks.ts stacks.json");
    expect(reaper.outputs?.prs).toBe("${{ steps.closed.outputs.prs }}");
  });
});
