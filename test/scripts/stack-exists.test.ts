import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stackExists } from "../../scripts/stack-exists";
import { runScript } from "./run-script";

const STACK = "acme/webstack/pr-12";

describe("does the PR stack exist? (before destroy)", () => {
  it("exit 0 means it exists", () => {
    expect(stackExists(STACK, 0, "")).toBe(true);
  });

  it.each([
    ["as given", "error: no stack named 'acme/webstack/pr-12' found\n"],
    ["shortened to the current org and project", "error: no stack named 'pr-12' found\n"],
    ["project-qualified", "error: no stack named 'webstack/pr-12' found\n"],
    ["org-qualified (older CLIs)", "error: no stack named 'acme/pr-12' found\n"],
  ])("only the CLI's 'no stack named' for this stack means absent (%s)", (_, stderr) => {
    expect(stackExists(STACK, 255, stderr)).toBe(false);
  });

  it.each([
    ["an expired token", "error: [401] Unauthorized: No credentials provided or are invalid.\n"],
    ["the network", 'error: could not get stack: Get "https://api.pulumi.com/api/stacks/acme/webstack/pr-12": dial tcp: lookup api.pulumi.com: no such host\n'],
    ["no login", "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n"],
    ["an old CLI's not-logged-in variant", "error: no stack named 'pr-12' found; you aren't logged into the Pulumi Cloud -- did you forget to 'pulumi login'?\n"],
    ["another stack's name", "error: no stack named 'acme/other/pr-12' found\n"],
    ["no output at all", ""],
  ])("any other failure fails the job, quoting the CLI (%s)", (_, stderr) => {
    expect(() => stackExists(STACK, 255, stderr)).toThrow(/^cannot tell whether acme\/webstack\/pr-12 exists: 'pulumi stack select' exited 255: /);
  });

  it("rejects a missing exit code", () => {
    expect(() => stackExists(STACK, Number.NaN, "")).toThrow("expected the exit code");
  });

  it("the command sets exists=false with a notice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-exists-"));
    writeFileSync(join(dir, "stderr"), "error: no stack named 'pr-12' found\n");
    const run = await runScript("scripts/stack-exists.ts", [STACK, "255", join(dir, "stderr")]);
    expect(run).toMatchObject({ code: 0, outputs: "exists=false\n", stdout: "::notice::acme/webstack/pr-12 does not exist: nothing to destroy.\n" });
  });
});
