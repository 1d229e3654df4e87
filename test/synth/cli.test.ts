import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../harness";
import { formats } from "../../synth/format";
import { SECURE_PLACEHOLDER } from "../../synth/stack-file";
import { stackFilesWith, synthInProcess as synth } from "./cli-run";

const exec = promisify(execFile);

/** Runs the synth CLI exactly as `npm run synth` does, in its own process. */
async function synthProcess(args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["--require", "./launcher.cjs", "synth/cli.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, WEBSTACK_DEBUG: "" },
    });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: err.stdout as string, stderr: err.stderr as string };
  }
}

/** Stack files with one edited, next to this program: what a scratch copy of the repository would synthesize. */
const repoWithStack = (stack: string, edit: (config: Record<string, any>) => void) => ({ root: stackFilesWith(stack, edit) });

/** `npm run snapshots`: every committed stack in one process, each to `<dir>/<stack>.json`. The real entry, exit code and files. */
let snapshotRun: Promise<{ code: number; stdout: string; stderr: string; dir: string }> | undefined;
function snapshotsOnce() {
  snapshotRun ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-snapshots-"));
    return { ...(await synthProcess(["prod", "staging", "dev", "--format", "json", "--out-dir", dir])), dir };
  })();
  return snapshotRun;
}
afterAll(async () => {
  if (snapshotRun) rmSync((await snapshotRun).dir, { recursive: true, force: true });
});

describe("npm run synth", () => {
  it.each(["prod", "staging", "dev"])("matches the committed snapshot of %s", async (stack) => {
    const r = await snapshotsOnce();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = readFileSync(join(r.dir, `${stack}.json`), "utf8");
    const committed = readFileSync(join(ROOT, "snapshots", "synth", `${stack}.json`), "utf8");
    // On a deliberate change: npm run snapshots, then review the diff in the PR.
    expect(out).toBe(committed);
    expect(out).not.toContain(SECURE_PLACEHOLDER);
  });

  it("prints a tree by default, ending with the stack's monthly cost and warnings, and mermaid on request", async () => {
    const table = await synth(["dev"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^webstack\/dev: \d+ resources\n└─ pulumi:pulumi:Stack  webstack-dev/);
    expect(table.stdout).toContain("\nMonthly cost: $0.00, plus shared account fees: Render workspace tea-cs1ott7acme2prod4x0 ≈$25.00 (--format cost lists each resource)\n\nWarnings:\n  ! Render workspace tea-cs1ott7acme2prod4x0: free web services would run 850 h a month");
    const mermaid = await synth(["dev", "--format", "mermaid"]);
    expect(mermaid.stdout.startsWith("graph TD\n")).toBe(true);
    // One stack per process prints what the snapshots' several-stack run wrote.
    const committed = JSON.parse(readFileSync(join(ROOT, "snapshots", "synth", "dev.json"), "utf8"));
    expect(table.stdout).toBe(formats.table(committed));
    expect(mermaid.stdout).toBe(formats.mermaid(committed));
  });

  it("prints each resource's plan and monthly price with --format cost, and ends markdown with the total", async () => {
    const r = await synth(["prod", "--format", "cost"]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("webstack/prod: monthly cost estimate (USD)");
    expect(lines[2]).toMatch(/^Resource +Plan +\$\/month +Notes$/);
    expect(lines[3]).toMatch(/^ott-prod-api +standard ×2–4 +≈\$50\.00–\$100\.00 +autoscaling 2–4 instances$/);
    expect(lines[4]).toMatch(/^ott-prod-db +basic_1gb \+ 15 GB +≈\$23\.50$/);
    expect(lines[5]).toMatch(/^ott-prod-cache +starter +≈\$10\.00$/);
    expect(lines[6]).toMatch(/^ott-prod-files +R2, billed on use +\$0\.00 +\$0\.015\/GB-month stored, \$4\.5\/M writes, \$0\.36\/M reads beyond the account's free 10 GB-month/);
    expect(lines[7]).toMatch(/^Total +≈\$83\.50–\$133\.50$/);
    expect(r.stdout).toMatch(/\nVercel team 'acme' +hobby +\$0\.00 +non-commercial, personal use only\n/);
    expect(r.stdout).toMatch(/\nRender workspace tea-cs1ott7acme2prod4x0 +pro +≈\$25\.00 +once per workspace, whatever the stacks in it\n/);
    expect(r.stdout).toContain("Warnings:\n  ! 'prod' serves the frontend from Vercel Hobby ('acme'), which is for non-commercial, personal use only and has no team collaboration");
    expect(r.stdout).toContain("≈ a price no first-party source confirms (cost/prices.ts, review by ");
    const manifest = JSON.parse(readFileSync(join(ROOT, "snapshots", "synth", "prod.json"), "utf8"));
    const md = formats.markdown(manifest);
    expect(md).toContain("\n**Monthly cost:** ≈$83.50–$133.50");
    expect(md).toContain("≈ a price no first-party source confirms");
  });

  it("refuses a stack whose estimate exceeds its budget, naming the key", async () => {
    const scratch = repoWithStack("prod", (c) => {
      c["webstack:budget"] = { monthlyUsd: 50 };
    });
    const r = await synth(["prod"], scratch);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "Invalid configuration in Pulumi.prod.yaml (1 problem):\n  webstack:budget.monthlyUsd: the estimate of ≈$83.50–$133.50 a month exceeds the budget of $50.00; most expensive: ott-prod-api",
    );
  });

  it("fails with a clear message for an unknown stack", async () => {
    const r = await synth(["nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Unknown stack 'nope': there is no Pulumi.nope.yaml. Known stacks: dev, prod, staging.\n");
  });

  it("exits non-zero naming each bad key, without a stack trace", async () => {
    const scratch = repoWithStack("staging", (c) => {
      c["webstack:database"].mode = "isolatd";
      c["webstack:backend"].plan = 7;
      c["webstack:cron"].jbos = [];
      delete c["webstack:app"].repo;
    });
    const r = await synth(["staging"], scratch);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("webstack:database.mode: expected 'isolated' | 'shared'");
    expect(r.stderr).toContain("webstack:cron.jbos: unknown key; did you mean 'jobs'?");
    expect(r.stderr).toContain("webstack:app.repo: missing required key (expected string)");
    expect(r.stderr).toMatch(/webstack:backend\.plan: expected 'free' \| 'starter'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("never writes a secure value, even one set in the stack file", async () => {
    const scratch = repoWithStack("dev", (c) => {
      c["webstack:secrets"] = { STRIPE_TEST_SECRET_KEY: { secure: "v1:AAAAciphertext" } };
    });
    const r = await synth(["dev", "--format", "json"], scratch);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("AAAAciphertext");
    expect(r.stdout).not.toContain(SECURE_PLACEHOLDER);
  });
});
