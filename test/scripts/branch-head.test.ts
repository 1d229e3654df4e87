import { describe, expect, it } from "vitest";
import { checkBranchHead, main } from "../../scripts/branch-head";
import { runInProcess, runScript } from "./run-script";

const A = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const B = "9a8b7c6d5e4f30219a8b7c6d5e4f30219a8b7c6d";

describe("stale-SHA guard before pulumi up", () => {
  it("deploys when the branch still points at the run's commit (refs/heads/ given or not, any case)", () => {
    expect(checkBranchHead("refs/heads/main", A, `${A}\trefs/heads/main\n`)).toEqual({ deploy: true, head: A });
    expect(checkBranchHead("main", A.toUpperCase(), `${A}\trefs/heads/main\n`)).toEqual({ deploy: true, head: A });
  });

  it("skips, naming both commits, when the branch has moved on (merge A, then B deploys first)", () => {
    const check = checkBranchHead("refs/heads/main", A, `${B}\trefs/heads/main\n`);
    expect(check.deploy).toBe(false);
    expect(check.head).toBe(B);
    if (!check.deploy) expect(check.message).toMatch(/^main has moved from 1f2e3d4 to 9a8b7c6 .*pulumi up skipped/);
  });

  it("reads only the exact ref: ls-remote patterns also match ref tails", () => {
    const out = `${A}\trefs/heads/feature/refs/heads/main\n${B}\trefs/heads/main\n`;
    expect(checkBranchHead("main", A, out).deploy).toBe(false);
    expect(checkBranchHead("main", B, out).deploy).toBe(true);
  });

  it("fails instead of guessing: branch gone, output not ls-remote's, or no SHA", () => {
    expect(() => checkBranchHead("main", A, "")).toThrow("origin has no branch 'main'; not deploying 1f2e3d4");
    expect(() => checkBranchHead("main", A, `${B}\trefs/heads/staging\n`)).toThrow("origin has no branch 'main'");
    expect(() => checkBranchHead("main", A, "fatal: could not read Username for 'https://github.com'\n")).toThrow(
      "unexpected git ls-remote output: 'fatal: could not read Username",
    );
    expect(() => checkBranchHead("main", "", `${A}\trefs/heads/main\n`)).toThrow("expected the run's commit SHA");
  });

  it("the command sets deploy/head outputs and a notice, reading ls-remote from stdin", async () => {
    const stale = await runScript("scripts/branch-head.ts", ["--ref", "refs/heads/develop", "--sha", A], { stdin: `${B}\trefs/heads/develop\n` });
    expect(stale.code).toBe(0);
    expect(stale.outputs).toBe(`deploy=false\nhead=${B}\n`);
    expect(stale.stdout).toMatch(/^::notice::develop has moved from 1f2e3d4 to 9a8b7c6/);
    // In-process: the entry itself is proven above.
    const broken = await runInProcess(main, ["--ref", "refs/heads/develop", "--sha", A], { stdin: "" });
    expect(broken.code).toBe(1);
    expect(broken.outputs).toBe("");
    expect(broken.stdout).toBe("::error::origin has no branch 'develop'; not deploying 1f2e3d4\n");
  });
});
