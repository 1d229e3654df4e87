import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { BRANCH_STACKS } from "../../scripts/branch-stack";
import { environmentOf, expand, secretsIn, stepIndex, workflow } from "./workflows";

describe("drift.yml", () => {
  const wf = workflow("drift.yml");
  const drift = wf.jobs.drift!;

  it("shares deploy.yml's concurrency group per stack and never cancels it", () => {
    const deployUp = workflow("deploy.yml").jobs.up!;
    for (const t of BRANCH_STACKS) {
      const values = { "needs.target.outputs.stack": t.stack };
      expect(expand(drift.concurrency!.group, values)).toBe(expand(deployUp.concurrency!.group, values));
    }
    expect(drift.concurrency!["cancel-in-progress"]).toBe(false);
    // At most one drift run per branch, so a drift job never replaces a deploy waiting in the group.
    expect(wf.concurrency).toEqual({ group: "drift-${{ github.event_name }}-${{ github.ref }}", "cancel-in-progress": false });
  });

  it("every morning starts one run per long-lived branch, so each check meets its environment's branch rules", () => {
    expect(wf.on.schedule).toHaveLength(1);
    expect(new Cron(wf.on.schedule[0].cron, { paused: true, timezone: "UTC" }).nextRun()).toBeInstanceOf(Date);
    const start = wf.jobs.start!;
    expect(start.if).toBe("github.event_name == 'schedule'");
    expect(start.strategy?.matrix?.branch).toEqual(BRANCH_STACKS.map((t) => t.branch));
    expect(start.steps.map((s) => s.run)).toEqual(['gh workflow run drift.yml --repo "$REPO" --ref "$BRANCH"']);
    expect(secretsIn(start)).toEqual([]);
    expect(wf.jobs.target!.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(environmentOf(drift)).toBe("${{ needs.target.outputs.environment }}");
  });

  it("previews the commit of the last successful update, not the branch head", () => {
    const history = stepIndex(drift, (s) => s.run?.includes("scripts/deployed-commit.ts") ?? false);
    const checkout = stepIndex(drift, (s) => s.uses?.startsWith("actions/checkout@") === true && s.with?.ref !== undefined);
    const preview = stepIndex(drift, (s) => s.run?.includes("pulumi preview") ?? false);
    expect(history).toBeGreaterThan(-1);
    expect(drift.steps[history]!.id).toBe("deployed");
    expect(drift.steps[history]!.run).toContain('pulumi stack history --stack "$STACK" --json');
    expect(drift.steps[checkout]!.with).toEqual({ ref: "${{ steps.deployed.outputs.sha }}", path: "deployed" });
    expect(history).toBeLessThan(checkout);
    expect(checkout).toBeLessThan(preview);
    expect(drift.steps[preview]!.run).toMatch(/\(cd deployed && pulumi preview --stack "\$STACK" --refresh --expect-no-changes --diff /);
  });

  it("writes the report (with the diff) to the job summary even when the preview fails", () => {
    const step = drift.steps.find((s) => s.run?.includes("pulumi preview"))!;
    const lines = step.run!.split("\n").map((l) => l.trim()).filter(Boolean);
    // The preview's failure is caught, then the report runs and decides the step's result.
    expect(lines[0]).toBe("set +e");
    expect(lines).toContain("code=${PIPESTATUS[0]}");
    expect(lines.indexOf("code=${PIPESTATUS[0]}")).toBeLessThan(lines.findIndex((l) => l.includes("scripts/drift-report.ts")));
    expect(lines.at(-1)).toMatch(/^node --require \.\/launcher\.cjs scripts\/drift-report\.ts .*--exit-code "\$code" preview\.log$/);
    // Not pulumi/actions: it throws before writing its summary when the preview fails.
    expect(drift.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)).toEqual([]);
  });
});
