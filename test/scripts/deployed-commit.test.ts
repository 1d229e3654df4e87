import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployedCommit } from "../../scripts/deployed-commit";
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

  it("the command sets sha and version, or an empty sha with a notice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-history-"));
    writeFileSync(join(dir, "empty.json"), "[]");
    const [deployed, none] = await Promise.all([runScript("scripts/deployed-commit.ts", [HISTORY]), runScript("scripts/deployed-commit.ts", [join(dir, "empty.json")])]);
    expect(deployed).toMatchObject({ code: 0, outputs: `sha=${CI_SHA}\nversion=56\n`, stdout: "" });
    expect(none).toMatchObject({ code: 0, outputs: "sha=\nversion=\n", stdout: "::notice::the stack has no successful update yet: nothing to check for drift\n" });
  });
});
