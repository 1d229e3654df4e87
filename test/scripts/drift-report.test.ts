import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyPreview, clipLog, driftSummary } from "../../scripts/drift-report";
import { runScript } from "./run-script";

const DRIFT_LOG = join(__dirname, "fixtures", "preview-drift.log");
const driftLog = readFileSync(DRIFT_LOG, "utf8");
const SHA = "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";

describe("drift report in the job summary", () => {
  it("tells drift from a failed check: only the CLI's 'changes were proposed' is drift", () => {
    expect(classifyPreview(0, "Resources:\n    63 unchanged\n")).toBe("clean");
    expect(classifyPreview(255, driftLog)).toBe("drift");
    expect(classifyPreview(1, "error: no changes were expected for preview but changes were proposed\n")).toBe("drift");
    expect(classifyPreview(255, "error: [401] Unauthorized: No credentials provided or are invalid.\n")).toBe("failed");
    expect(classifyPreview(137, "")).toBe("failed");
  });

  it("puts the diff in the summary when drift makes the preview fail (pulumi/actions#850 left it in the log only)", () => {
    const { result, markdown } = driftSummary({ stack: "acme/webstack/prod", commit: SHA, version: "56", exitCode: 255, log: driftLog });
    expect(result).toBe("drift");
    expect(markdown).toMatch(/^## `acme\/webstack\/prod`: drift found\n\nCompared with commit `3e4f5a6b7c8d` \(update 56, the last successful `pulumi up`\)\./);
    expect(markdown).toContain("~ numInstances: 3 => 2");
    expect(markdown).toContain('~ LOG_LEVEL: "debug" => "info"');
    expect(markdown).not.toContain("<details>");
  });

  it("says a failed preview is not drift, and folds away the log of a clean one", () => {
    const failed = driftSummary({ stack: "dev", commit: SHA, version: "", exitCode: 255, log: "error: [401] Unauthorized\n" });
    expect(failed.result).toBe("failed");
    expect(failed.markdown).toContain("`pulumi preview` failed (exit 255) before it could compare; this is not drift.");
    expect(failed.markdown).toContain("(the last successful `pulumi up`)");
    const clean = driftSummary({ stack: "dev", commit: SHA, version: "9", exitCode: 0, log: "Resources:\n    41 unchanged\n" });
    expect(clean.markdown).toContain("## `dev`: no drift");
    expect(clean.markdown).toContain("<details><summary>pulumi preview</summary>");
  });

  it("keeps the log inside its code block: colour codes out, a longer fence than any backtick run", () => {
    const log = "\u001b[31merror\u001b[0m: bad value ```json``` here\n";
    const { markdown } = driftSummary({ stack: "dev", commit: SHA, version: "1", exitCode: 1, log });
    expect(markdown).toContain("````text\nerror: bad value ```json``` here\n````");
    expect(markdown).not.toContain("\u001b");
  });

  it("cuts an over-long log in the middle, keeping the diff at the head and the error at the tail", () => {
    const log = `HEAD-DIFF\n${"x".repeat(5000)}\nTAIL-ERROR\n`;
    const clipped = clipLog(log, 1000);
    expect(Buffer.byteLength(clipped)).toBeLessThan(1100);
    expect(clipped.startsWith("HEAD-DIFF\n")).toBe(true);
    expect(clipped.endsWith("TAIL-ERROR\n")).toBe(true);
    expect(clipped).toMatch(/… 4022 bytes cut; the whole log is in the step's output …/);
    expect(clipLog("short", 1000)).toBe("short");
  });

  it("the command writes the summary, sets the result, and fails the step on drift", async () => {
    const run = await runScript("scripts/drift-report.ts", ["--stack", "acme/webstack/prod", "--commit", SHA, "--version", "56", "--exit-code", "255", DRIFT_LOG]);
    expect(run.code).toBe(1);
    expect(run.outputs).toBe("result=drift\n");
    expect(run.summary).toContain("~ numInstances: 3 => 2");
    expect(run.stdout).toBe("::error::acme/webstack/prod has drifted from commit 3e4f5a6; the diff is in the job summary.\n");
  });
});
