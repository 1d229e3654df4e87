import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BRANCH_STACKS, stackForBranch } from "../../scripts/branch-stack";
import { ROOT } from "../harness";
import { environmentOf, expand, needsOf, parse, secretsIn, triggers, workflow, workflowFiles, type Workflow } from "./workflows";

const PR_EVENTS = ["pull_request", "pull_request_target"];
const FROM_TARGET = "${{ needs.target.outputs.environment }}";

/**
 * Where credentials may go. GitHub gates only environment secrets behind an environment's
 * reviewers and branch rules, so: no secret at workflow level; every job reading one names an
 * environment; pull-request jobs use `preview`; a deploy environment is never written by hand
 * but comes, with the stack, from scripts/branch-stack.ts (main → prod → production).
 */
function credentialProblems(workflows: [string, Workflow][]): string[] {
  const problems: string[] = [];
  for (const [file, wf] of workflows) {
    const top = secretsIn(wf.env);
    if (top.length) problems.push(`${file}: workflow-level env hands ${top.join(", ")} to every job`);
    const prTriggered = triggers(wf).some((t) => PR_EVENTS.includes(t));
    for (const [id, job] of Object.entries(wf.jobs)) {
      const secrets = secretsIn(job);
      if (secrets.length === 0) continue;
      const env = environmentOf(job);
      const where = `${file}/${id}`;
      if (!env) {
        problems.push(`${where}: reads ${secrets.join(", ")} without an environment`);
      } else if (prTriggered) {
        if (env !== "preview") problems.push(`${where}: a pull-request workflow's job uses '${env}', not 'preview'`);
      } else if (env !== "preview" && env !== FROM_TARGET) {
        problems.push(`${where}: environment '${env}' is not the one scripts/branch-stack.ts picks with the stack`);
      } else if (env === FROM_TARGET) {
        const target = wf.jobs.target;
        const picks = target?.steps.find((s) => s.id === "target")?.run?.includes("scripts/branch-stack.ts");
        const sameStack = JSON.stringify(job).includes("needs.target.outputs.qualified") && JSON.stringify(job).includes("needs.target.outputs.stack");
        if (!needsOf(job).includes("target") || target?.outputs?.environment !== "${{ steps.target.outputs.environment }}" || !picks || !sameStack) {
          problems.push(`${where}: its environment and its stack do not both come from scripts/branch-stack.ts`);
        }
      }
    }
  }
  return problems;
}

const all = (): [string, Workflow][] => workflowFiles().map((f) => [f, workflow(f)]);

describe("credentials per environment", () => {
  it("every job that reads a credential names its environment; PR workflows only ever get 'preview'", () => {
    expect(credentialProblems(all())).toEqual([]);
  });

  it("the rule catches each way of leaking a credential", () => {
    const bad = parse(`
name: bad
on: { push: { branches: [main] }, pull_request: {} }
env: { RENDER_API_KEY: "\${{ secrets.RENDER_API_KEY }}" }
jobs:
  plain: { runs-on: x, steps: [{ run: "echo", env: { T: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" } }] }
  prod: { runs-on: x, environment: production, steps: [{ run: "echo", env: { T: "\${{ secrets.VERCEL_API_TOKEN }}" } }] }
  ok: { runs-on: x, environment: preview, steps: [{ run: "echo", env: { T: "\${{ secrets.VERCEL_API_TOKEN }}", G: "\${{ secrets.GITHUB_TOKEN }}" } }] }
`);
    expect(credentialProblems([["bad.yml", bad]])).toEqual([
      "bad.yml: workflow-level env hands RENDER_API_KEY to every job",
      "bad.yml/plain: reads PULUMI_ACCESS_TOKEN without an environment",
      "bad.yml/prod: a pull-request workflow's job uses 'production', not 'preview'",
    ]);
    const handWritten = parse(`
name: deploy
on: { push: { branches: [main] } }
jobs:
  target: { runs-on: x, outputs: { environment: "\${{ steps.target.outputs.environment }}" }, steps: [{ id: target, run: "node scripts/branch-stack.ts" }] }
  up: { runs-on: x, environment: production, steps: [{ run: "echo", env: { T: "\${{ secrets.RENDER_API_KEY }}" } }] }
  drift: { runs-on: x, needs: target, environment: { name: "${FROM_TARGET}" }, steps: [{ run: "pulumi preview --stack acme/webstack/prod", env: { T: "\${{ secrets.RENDER_API_KEY }}" } }] }
`);
    expect(credentialProblems([["deploy.yml", handWritten]])).toEqual([
      "deploy.yml/up: environment 'production' is not the one scripts/branch-stack.ts picks with the stack",
      "deploy.yml/drift: its environment and its stack do not both come from scripts/branch-stack.ts",
    ]);
  });

  it("the jobs that can reach prod are deploy's and drift's, and only ever under 'production'", () => {
    const prod = BRANCH_STACKS.find((t) => t.stack === "prod")!;
    // What a job gets when branch-stack.ts maps the branch that deploys prod.
    const target = stackForBranch(`refs/heads/${prod.branch}`)!;
    const reach: string[] = [];
    for (const [file, wf] of all()) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const env = environmentOf(job);
        if (!env || secretsIn(job).length === 0) continue;
        const got = expand(env, { "needs.target.outputs.environment": target.githubEnvironment });
        if (env === FROM_TARGET) {
          reach.push(`${file}/${id}`);
          expect(got, `${file}/${id}`).toBe("production");
        } else {
          expect(got, `${file}/${id}`).toBe("preview");
        }
      }
    }
    expect(reach.sort()).toEqual(["deploy.yml/up", "drift.yml/drift"]);
    expect(stackForBranch("main")).toMatchObject({ stack: "prod", githubEnvironment: "production" });
  });

  it("the PR preview job previews dev or staging with preview credentials, never prod", () => {
    const job = workflow("pr-review.yml").jobs.preview!;
    expect(environmentOf(job)).toBe("preview");
    const preview = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(preview.with).toMatchObject({ command: "preview", "comment-on-pr": true });
    expect(preview.if).toContain("steps.target.outputs.environment != 'production'");
    expect(BRANCH_STACKS.filter((t) => t.githubEnvironment === "production").map((t) => t.stack)).toEqual(["prod"]);
  });
});


describe("docs/delivery.md says where each secret lives", () => {
  /** Environment names per secret, from the workflows: a job's own, or every deploy environment for one picked by branch-stack.ts. */
  function environmentsPerSecret(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [, wf] of all()) {
      for (const job of Object.values(wf.jobs)) {
        const env = environmentOf(job);
        if (!env) continue;
        const envs = env === FROM_TARGET ? BRANCH_STACKS.map((t) => t.githubEnvironment) : [env];
        for (const secret of secretsIn(job)) for (const e of envs) (out.get(secret) ?? out.set(secret, new Set()).get(secret)!).add(e);
      }
    }
    return out;
  }

  /** The "Lives in" cell of each secret's row in the secrets table. */
  function livesIn(doc: string): Map<string, string> {
    const rows = new Map<string, string>();
    for (const line of doc.split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      if (cells.length < 4 || !cells[1]!.startsWith("`")) continue;
      for (const m of cells[1]!.matchAll(/`([A-Z_]+)`/g)) rows.set(m[1]!, cells[2]!);
    }
    return rows;
  }

  it("every secret a job reads has a row naming each environment that holds it", () => {
    const doc = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    const rows = livesIn(doc);
    const wanted = environmentsPerSecret();
    expect([...wanted.keys()]).toContain("RENDER_API_KEY");
    for (const [secret, envs] of wanted) {
      expect(rows.get(secret), secret).toBeDefined();
      for (const e of envs) expect(rows.get(secret), `${secret} in ${e}`).toContain(`\`${e}\``);
    }
    expect(rows.get("STRIPE_TEST_SECRET_KEY")).toBe("`preview`");
  });

  it("the check notices a secret documented in too few environments", () => {
    const rows = livesIn("| Secret | Lives in |\n| --- | --- |\n| `RENDER_API_KEY` | `preview` | x |\n");
    expect(rows.get("RENDER_API_KEY")).not.toContain("`production`");
  });
});
