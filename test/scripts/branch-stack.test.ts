import { describe, expect, it } from "vitest";
import { BRANCH_STACKS, main, previewStackName, qualifiedStackName, stackForBranch } from "../../scripts/branch-stack";
import { listStacks } from "../../synth/stack-file";
import { ROOT } from "../harness";
import { runInProcess, runScript } from "./run-script";

describe("branch → stack mapping", () => {
  it.each([
    ["main", "prod", "production"],
    ["staging", "staging", "staging"],
    ["develop", "dev", "development"],
    ["refs/heads/main", "prod", "production"],
    ["refs/heads/develop", "dev", "development"],
  ])("%s deploys %s (GitHub environment %s)", (branch, stack, env) => {
    expect(stackForBranch(branch)).toMatchObject({ stack, githubEnvironment: env });
  });

  it.each(["feature/login", "alice", "mainline", "dev", "prod", "refs/heads/feature/main", "refs/tags/main", "refs/pull/3/merge", "", "Main"])(
    "%j deploys no long-lived stack",
    (branch) => {
      expect(stackForBranch(branch)).toBeUndefined();
    },
  );

  it("maps every committed stack, and only those, to one branch", () => {
    expect(BRANCH_STACKS.map((t) => t.stack).sort()).toEqual(listStacks(ROOT));
    expect(new Set(BRANCH_STACKS.map((t) => t.branch)).size).toBe(BRANCH_STACKS.length);
  });

  it("names PR stacks pr-<number> and rejects anything else", () => {
    expect(previewStackName(42)).toBe("pr-42");
    expect(previewStackName("7")).toBe("pr-7");
    for (const bad of ["0", "-1", "4.2", "12; rm -rf /", "", "007"]) expect(() => previewStackName(bad)).toThrow(/pull-request number/);
  });

  it("qualifies stacks with the org from their own config on Pulumi Cloud, with 'organization' on a DIY backend", () => {
    expect(qualifiedStackName(ROOT, "prod")).toBe("acme/webstack/prod");
    expect(qualifiedStackName(ROOT, "pr-12")).toBe("acme/webstack/pr-12");
    expect(qualifiedStackName(ROOT, "prod", "https://api.pulumi.example.com")).toBe("acme/webstack/prod");
    for (const url of ["s3://acme-pulumi-state", "gs://acme-state", "azblob://state", "file:///var/pulumi"]) {
      expect(qualifiedStackName(ROOT, "staging", url)).toBe("organization/webstack/staging");
    }
  });

  it("prints $GITHUB_OUTPUT lines from the command line, qualified for the backend in PULUMI_BACKEND_URL", async () => {
    // The entry as a workflow step runs it, once; the other cases call its main in-process.
    const step = await runScript("scripts/branch-stack.ts", ["main"], { env: { PULUMI_BACKEND_URL: "" } });
    expect(step).toMatchObject({ code: 0, stderr: "" });
    expect(step.stdout).toBe("stack=prod\nqualified=acme/webstack/prod\nenvironment=production\ndrift_environment=production-drift\n");
    const run = async (args: string[], backend = "") => {
      const r = await runInProcess(main, args, { env: { PULUMI_BACKEND_URL: backend } });
      if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    expect(await run(["feature/x"])).toBe("stack=\nqualified=\nenvironment=\ndrift_environment=\n");
    expect(await run(["refs/heads/staging"], "s3://acme-pulumi-state")).toBe("stack=staging\nqualified=organization/webstack/staging\nenvironment=staging\ndrift_environment=staging-drift\n");
    expect(await run(["--pr", "9"])).toBe("stack=pr-9\nqualified=acme/webstack/pr-9\nenvironment=preview\ndrift_environment=\n");
    await expect(run(["--all"])).rejects.toThrow(/^exit 2: usage: branch-stack.ts <branch> \| --pr <number>/);
  });
});
