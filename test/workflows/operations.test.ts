// deploy.yml's day-2 steps (docs/operations.md), read from the YAML; actionlint.test.ts lints it.
import { describe, expect, it } from "vitest";
import { run } from "../../ops/cli";
import { OpsRun } from "../ops/harness";
import { workflow, type Step } from "./workflows";

const GUARD = "steps.head.outputs.deploy == 'true'";
const PROD = "needs.target.outputs.stack == 'prod'";
const up = workflow("deploy.yml").jobs.up!;
const named = (name: string): Step => {
  const step = up.steps.find((s) => s.name === name);
  if (!step) throw new Error(`deploy.yml has no step '${name}'`);
  return step;
};
const at = (name: string) => up.steps.indexOf(named(name));

/** The `webstack` arguments of a step's script, shell variables filled in as the job would. */
function webstackArgs(step: Step): string[] {
  const line = step.run!.split("\n").find((l) => l.includes("bin/webstack.cjs"))!;
  const filled = line
    .replace(/^.*bin\/webstack\.cjs\s+/, "")
    .replace(/\s*>.*$/, "")
    .replace('"${rolled[@]}"', "--rolled-back rollback.json")
    .replace(/"\$STACK"/g, "acme/webstack/prod")
    .replace(/"\$(SHA|RUN_URL|status)"/g, "x");
  return filled.split(/\s+/).filter(Boolean);
}

const AFTER_UP = "(steps.up.outcome == 'success' || steps.up.outcome == 'failure')";

describe("deploy.yml runs webstack around pulumi up", () => {
  it("backs prod up before the update, encrypted into the stack's bucket by webstack: no dump leaves as an artifact", () => {
    expect(at("Install the Pulumi CLI")).toBeLessThan(at("Back up the production database"));
    expect(at("Back up the production database")).toBeLessThan(at("pulumi up"));
    const backup = named("Back up the production database");
    expect(backup.if).toBe(`${GUARD} && ${PROD}`);
    expect(webstackArgs(backup)).toEqual(["backup", "acme/webstack/prod", "--if-deployed", "--if-configured"]);
    const artifacts = up.steps.filter((s) => s.uses?.startsWith("actions/upload-artifact@"));
    for (const a of artifacts) expect(String(a.with?.path), a.name).not.toMatch(/backup/);
  });

  it("updates with refresh, so a redeploy repairs drift", () => {
    expect(named("pulumi up").with).toMatchObject({ command: "up", refresh: true });
    expect(named("pulumi up").id).toBe("up");
  });

  it("verifies after every update, failed ones included, and writes the report rollback reads", () => {
    const verify = named("Verify the release");
    expect(at("pulumi up")).toBeLessThan(at("Verify the release"));
    // `!cancelled()`: without a status function, GitHub adds success() and skips it after a failed up.
    expect(verify.if).toBe(`!cancelled() && ${GUARD} && ${AFTER_UP}`);
    expect(webstackArgs(verify)).toEqual(["verify", "acme/webstack/prod", "--timeout", "15m", "--report", "verify.json"]);
  });

  it("on prod, a failed verify rolls back only the failing components and the job stays failed", () => {
    const rollback = named("Roll back production");
    expect(rollback.if).toBe(`!cancelled() && ${GUARD} && ${PROD} && steps.verify.outcome == 'failure'`);
    expect(rollback.run).toMatch(/ --json > rollback\.json\n?$/);
    expect(rollback.run).toContain("if [ ! -s verify.json ]; then");
    expect(webstackArgs(rollback)).toEqual(["rollback", "acme/webstack/prod", "--only-failing", "verify.json", "--json"]);
    expect((rollback as Record<string, unknown>)["continue-on-error"]).toBeUndefined();
  });

  it("keeps the reports under a name unique to the run attempt", () => {
    const keep = named("Keep the release reports");
    expect(keep.if).toBe(`always() && ${GUARD}`);
    expect(String(keep.with?.name)).toBe("release-${{ needs.target.outputs.stack }}-${{ github.run_id }}-${{ github.run_attempt }}");
    for (const s of up.steps.filter((x) => x.uses?.startsWith("actions/upload-artifact@"))) expect(String(s.with?.name)).toContain("github.run_attempt");
  });

  it("notifies on success and on failure (a failed up included) with the stack, commit, run attempt and what was rolled back", () => {
    const notify = named("Notify the team");
    expect(at("Notify the team")).toBe(up.steps.length - 1);
    expect(notify.if).toBe(`always() && ${GUARD}`);
    expect(notify.env).toMatchObject({ SHA: "${{ github.sha }}", STATUS: "${{ job.status }}" });
    expect(notify.env?.RUN_URL).toContain("/attempts/${{ github.run_attempt }}");
    expect(up.env?.STACK).toBe("${{ needs.target.outputs.qualified }}");
    expect(notify.run).toContain('if [ -s rollback.json ]; then rolled=(--rolled-back rollback.json); fi');
    expect(webstackArgs(notify)).toEqual(["notify", "acme/webstack/prod", "--status", "x", "--commit", "x", "--run-url", "x", "--rolled-back", "rollback.json"]);
    expect((notify as Record<string, unknown>)["continue-on-error"]).toBe(true);
  });

  it("every webstack command in the workflow is one the CLI accepts", async () => {
    const steps = up.steps.filter((s) => s.run?.includes("bin/webstack.cjs"));
    expect(steps.map((s) => webstackArgs(s)[0])).toEqual(["backup", "verify", "rollback", "notify"]);
    for (const step of steps) {
      const t = new OpsRun();
      const args = webstackArgs(step).map((a) => (a === "x" && step.name === "Notify the team" ? "failure" : a));
      // Past the command-line checks, each stops at the missing outputs file: verb, stack and flags are valid.
      expect(await run([...args, "--outputs", "missing.json"], t.ops()), step.name).toBe(2);
      // rollback reads verify's report before the outputs: its missing file stops it just as early.
      expect(t.err, step.name).toEqual([expect.stringMatching(/^--(outputs missing\.json|only-failing verify\.json): no such file/)]);
    }
  });
});
