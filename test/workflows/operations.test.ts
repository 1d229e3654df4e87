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

describe("deploy.yml runs webstack around pulumi up", () => {
  it("backs prod up before the update and keeps the dump 7 days, where the repository is private", () => {
    expect(at("Install the Pulumi CLI")).toBeLessThan(at("Back up the production database"));
    expect(at("Back up the production database")).toBeLessThan(at("pulumi up"));
    const backup = named("Back up the production database");
    expect(backup.if).toBe(`${GUARD} && ${PROD}`);
    expect(webstackArgs(backup)).toEqual(["backup", "acme/webstack/prod", "--out", "backups", "--if-deployed"]);
    const keep = named("Keep the backup for 7 days");
    expect(keep.uses).toBe("actions/upload-artifact@v4");
    expect(keep.with).toMatchObject({ path: "backups/", "retention-days": 7 });
    expect(keep.if).toBe(`${GUARD} && ${PROD} && github.event.repository.private`);
    expect(at("Keep the backup for 7 days")).toBeLessThan(at("pulumi up"));
  });

  it("verifies after every update, and only after a successful one", () => {
    const verify = named("Verify the release");
    expect(at("pulumi up")).toBeLessThan(at("Verify the release"));
    expect(verify.if).toBe(GUARD); // every stack; an implicit success() skips it when pulumi up failed
    expect(webstackArgs(verify)).toEqual(["verify", "acme/webstack/prod", "--timeout", "15m"]);
  });

  it("on prod, a failed verify rolls back and the job stays failed", () => {
    const rollback = named("Roll back production");
    expect(rollback.if).toBe(`failure() && ${GUARD} && ${PROD} && steps.verify.outcome == 'failure'`);
    expect(rollback.run).toMatch(/ --json > rollback\.json$/);
    expect(webstackArgs(rollback)).toEqual(["rollback", "acme/webstack/prod", "--json"]);
    expect((rollback as Record<string, unknown>)["continue-on-error"]).toBeUndefined();
  });

  it("notifies on success and on failure with the stack, commit, run and what was rolled back", () => {
    const notify = named("Notify the team");
    expect(at("Notify the team")).toBe(up.steps.length - 1);
    expect(notify.if).toBe(`always() && ${GUARD}`);
    expect(notify.env).toMatchObject({ STACK: "${{ needs.target.outputs.qualified }}", SHA: "${{ github.sha }}", STATUS: "${{ job.status }}" });
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
      expect(t.err, step.name).toEqual(["--outputs missing.json: no such file"]);
    }
  });
});
