import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployedCommit, reportDeployed } from "../../scripts/deployed-commit";
import { recordingIO } from "./recording-io";
import { runScript } from "./run-script";

const HISTORY = join(__dirname, "fixtures", "pulumi-stack-history.json");
const history = () => JSON.parse(readFileSync(HISTORY, "utf8")) as Record<string, unknown>[];
const CI_SHA = "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";

describe("the commit drift compares with: the last successful update's", () => {
  it("skips refreshes and failed updates, reading the SHA deploy.yml records as the message", () => {
    expect(deployedCommit(history())).toEqual({ kind: "commit", sha: CI_SHA, version: 56, from: "message", dirty: false });
  });

  it("orders by version, not by how the CLI printed the page", () => {
    expect(deployedCommit(history().reverse())).toMatchObject({ sha: CI_SHA, version: 56 });
  });

  it("falls back to Pulumi's git.head for an update run by hand, flagging a dirty working tree", () => {
    const byHand = history().slice(3);
    expect(deployedCommit(byHand)).toEqual({ kind: "commit", sha: "aa11bb22cc33dd44ee55ff6600aa11bb22cc33dd", version: 55, from: "git.head", dirty: true });
  });

  it("has nothing to check for a new stack or one whose last operation was a destroy", () => {
    expect(deployedCommit([])).toEqual({ kind: "none" });
    expect(deployedCommit([{ version: 1, kind: "refresh", result: "succeeded" }])).toEqual({ kind: "none" });
    const destroyed = [{ version: 60, kind: "destroy", result: "succeeded", message: "" }, ...history()];
    expect(deployedCommit(destroyed)).toEqual({ kind: "destroyed", version: 60 });
  });

  it("fails when every update failed, or the last good one records no commit", () => {
    expect(() => deployedCommit(history().slice(0, 2))).toThrow("none of the last 1 updates succeeded (1 failed)");
    expect(() => deployedCommit([{ version: 3, kind: "update", result: "succeeded", message: "hotfix", environment: {} }])).toThrow(
      "update 3 (the last successful one) records no commit: its message 'hotfix' is not a commit SHA and it has no git.head",
    );
    expect(() => deployedCommit({ updates: [] })).toThrow("expected the JSON array");
  });

  it("reports an empty sha, which skips the preview, with a notice saying why; a dirty tree with a warning", () => {
    const io = recordingIO();
    reportDeployed({ kind: "none" }, io);
    reportDeployed({ kind: "destroyed", version: 60 }, io);
    reportDeployed({ kind: "commit", sha: CI_SHA, version: 55, from: "git.head", dirty: true }, io);
    expect(io.lines).toEqual([
      "output sha=",
      "output version=",
      "notice the stack has no successful update yet: nothing to check for drift",
      "output sha=",
      "output version=60",
      "notice the stack's last successful operation was a destroy: nothing to check for drift",
      `output sha=${CI_SHA}`,
      "output version=55",
      "warning update 55 ran from a working tree with uncommitted changes; comparing with its commit 3e4f5a6",
    ]);
  });

  it("the command sets sha and version from the history file", async () => {
    const run = await runScript("scripts/deployed-commit.ts", [HISTORY]);
    expect(run).toMatchObject({ code: 0, outputs: `sha=${CI_SHA}\nversion=56\n`, stdout: "" });
  });
});
