// The rotation of the PR stacks' shared database role: which stack, which branch, which resource.
import { describe, expect, it } from "vitest";
import { main, previewRole } from "../../scripts/preview-role";
import { BRANCH_STACKS } from "../../scripts/branch-stack";
import { workflow } from "../workflows/workflows";
import { ROOT, synthStack } from "../harness";
import { runInProcess, runScript } from "./run-script";

describe("rotating the preview role", () => {
  it("names the password resource the owner stack really registers", async () => {
    const role = previewRole(ROOT)!;
    expect(role).toMatchObject({ stack: "staging", branch: "staging", consumer: "preview" });
    const staging = await synthStack("staging");
    const password = staging.resources.find((r) => r.urn === role.passwordUrn);
    expect(password?.type).toBe("random:index/randomPassword:RandomPassword");
    // The role's password is an input of the role: replacing it changes the role, not the database.
    const roleResource = staging.resources.find((r) => r.type === "postgresql:index/role:Role" && r.name === "db-preview");
    expect(roleResource?.dependsOn).toContain(role.passwordUrn);
  });

  it("pr-stack-destroy.yml starts it on the owner's branch, and the script refuses every other stack", async () => {
    const role = previewRole(ROOT)!;
    const start = workflow("pr-stack-destroy.yml").jobs.rotate!;
    expect(start.needs).toBe("destroy");
    expect(start.permissions).toEqual({ actions: "write" });
    expect(start.steps[0]!.env?.OWNER_BRANCH).toBe(role.branch);
    expect(BRANCH_STACKS.find((t) => t.branch === role.branch)?.stack).toBe(role.stack);
    // The entry as the workflow runs it once; the refusal in-process.
    const [prod, staging] = await Promise.all([runInProcess(main, ["prod"]), runScript("scripts/preview-role.ts", ["staging"])]);
    expect(prod.code).toBe(1);
    expect(prod.stdout).toBe("::error::the preview role lives in staging, not prod: run this workflow on branch 'staging'\n");
    expect(staging.outputs).toBe(`urn=${role.passwordUrn}\nconsumer=preview\n`);
    const rotate = workflow("rotate-preview-role.yml").jobs.rotate!;
    expect(rotate.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!.with).toMatchObject({ command: "up", replace: "${{ needs.target.outputs.urn }}" });
    expect(rotate.concurrency?.group).toBe("pulumi-${{ needs.target.outputs.stack }}");
  });
});
