// What the delivery workflows guarantee, read from their YAML (actionlint.test.ts lints them).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { netlifyBranchUrl } from "../../components/netlify-urls";
import { BRANCH_STACKS, stackForBranch } from "../../scripts/branch-stack";
import { netlifyDeployPlan, planLines } from "../../scripts/netlify-deploy";
import { ROOT } from "../harness";
import { environmentOf, expand, needsOf, parse, secretsIn, stepIndex, triggers, workflow, workflowFiles, workflowText, type Job, type Workflow } from "./workflows";

const PR_EVENTS = ["pull_request", "pull_request_target"];
const FROM_TARGET = "${{ needs.target.outputs.environment }}";
/** drift.yml's job: the stack's drift environment (no reviewers), from the same call. */
const FROM_TARGET_DRIFT = "${{ needs.target.outputs.drift-environment }}";
const TARGET_OUTPUT: Record<string, [string, string]> = {
  [FROM_TARGET]: ["environment", "${{ steps.target.outputs.environment }}"],
  [FROM_TARGET_DRIFT]: ["drift-environment", "${{ steps.target.outputs.drift_environment }}"],
};

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
      } else if (env !== "preview" && !(env in TARGET_OUTPUT)) {
        problems.push(`${where}: environment '${env}' is not the one scripts/branch-stack.ts picks with the stack`);
      } else if (env in TARGET_OUTPUT) {
        const target = wf.jobs.target;
        const picks = target?.steps.find((s) => s.id === "target")?.run?.includes("scripts/branch-stack.ts");
        const sameStack = JSON.stringify(job).includes("needs.target.outputs.qualified") && JSON.stringify(job).includes("needs.target.outputs.stack");
        const [output, value] = TARGET_OUTPUT[env]!;
        if (!needsOf(job).includes("target") || target?.outputs?.[output] !== value || !picks || !sameStack) {
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

  it("the jobs that can reach prod are deploy's under 'production' and drift's under 'production-drift'", () => {
    const prod = BRANCH_STACKS.find((t) => t.stack === "prod")!;
    // What a job gets when branch-stack.ts maps the branch that deploys prod.
    const target = stackForBranch(`refs/heads/${prod.branch}`)!;
    const reach: string[] = [];
    for (const [file, wf] of all()) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const env = environmentOf(job);
        if (!env || secretsIn(job).length === 0) continue;
        const got = expand(env, { "needs.target.outputs.environment": target.githubEnvironment, "needs.target.outputs.drift-environment": target.driftEnvironment });
        if (env in TARGET_OUTPUT) reach.push(`${file}/${id} ${got}`);
        else expect(got, `${file}/${id}`).toBe("preview");
      }
    }
    // The rotation names the branch's environment too, but its target job fails on any stack but the
    // role's owner (scripts/preview-role.ts, test/scripts/preview-role.test.ts), so it never starts on prod.
    expect(reach.sort()).toEqual(["deploy.yml/up production", "drift.yml/drift production-drift", "rotate-preview-role.yml/rotate production"]);
    expect(stackForBranch("main")).toMatchObject({ stack: "prod", githubEnvironment: "production", driftEnvironment: "production-drift" });
    // A drift environment is never a deploy environment: those may have reviewers.
    for (const t of BRANCH_STACKS) expect(BRANCH_STACKS.map((b) => b.githubEnvironment)).not.toContain(t.driftEnvironment);
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
        const envs =
          env === FROM_TARGET ? BRANCH_STACKS.map((t) => t.githubEnvironment) : env === FROM_TARGET_DRIFT ? BRANCH_STACKS.map((t) => t.driftEnvironment) : [env];
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

const GUARD = "steps.head.outputs.deploy == 'true'";

/** Problems with the stale-SHA guard of a deploy job: it must run right before, and gate, every step after it. */
function guardProblems(job: Job): string[] {
  const guard = stepIndex(job, (s) => s.run?.includes("scripts/branch-head.ts") ?? false);
  const up = stepIndex(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up");
  if (guard < 0) return ["no step runs scripts/branch-head.ts"];
  if (up < 0) return ["no pulumi up step"];
  const problems: string[] = [];
  const g = job.steps[guard]!;
  if (g.id !== "head") problems.push("the guard step's id is not 'head'");
  if (!/git ls-remote origin "\$REF" \| .*--ref "\$REF" --sha "\$SHA"/.test(g.run!) || g.env?.REF !== "${{ github.ref }}" || g.env?.SHA !== "${{ github.sha }}") {
    problems.push("the guard does not compare origin's branch with github.sha");
  }
  if (guard > up) problems.push("the guard runs after pulumi up");
  job.steps.slice(guard + 1).forEach((s, i) => {
    if (!s.if?.includes(GUARD)) problems.push(`step ${guard + 1 + i} (${s.name ?? s.uses ?? s.run}) runs even when the run is stale`);
  });
  return problems;
}

describe("deploy.yml deploys only the branch head", () => {
  const wf = workflow("deploy.yml");
  const up = wf.jobs.up!;

  it("runs on each long-lived branch, and on demand to redeploy a stack", () => {
    expect(wf.on.push.branches).toEqual(BRANCH_STACKS.map((t) => t.branch));
    expect(wf.on).toHaveProperty("workflow_dispatch");
    // The stack comes from the full ref, so a dispatch on a tag named `main` deploys nothing.
    expect(wf.jobs.target!.steps.find((s) => s.id === "target")!.env?.REF).toBe("${{ github.ref }}");
  });

  it("one run per branch at the workflow level, so tests of a newer push cannot overtake into `pulumi up`", () => {
    expect(wf.concurrency).toEqual({ group: "deploy-${{ github.ref }}", "cancel-in-progress": false });
    const groups = BRANCH_STACKS.map((t) => expand(wf.concurrency!.group, { "github.ref": `refs/heads/${t.branch}` }));
    expect(new Set(groups).size).toBe(BRANCH_STACKS.length);
  });

  it("the update job holds its stack's group and is never cancelled half-way", () => {
    expect(up.concurrency).toEqual({ group: "pulumi-${{ needs.target.outputs.stack }}", "cancel-in-progress": false });
    expect(environmentOf(up)).toBe("${{ needs.target.outputs.environment }}");
  });

  it("checks, right before pulumi up, that the branch still points at github.sha, and skips otherwise", () => {
    expect(guardProblems(up)).toEqual([]);
    const pulumiUp = up.steps.find((s) => s.with?.command === "up")!;
    expect(pulumiUp.with).toMatchObject({ "stack-name": "${{ needs.target.outputs.qualified }}", message: "${{ github.sha }}" });
  });

  it("the guard check fails a job where a step escapes it or the guard comes too late", () => {
    const guard = { id: "head", run: 'git ls-remote origin "$REF" | node scripts/branch-head.ts --ref "$REF" --sha "$SHA"', env: { REF: "${{ github.ref }}", SHA: "${{ github.sha }}" } };
    const pulumiUp = { uses: "pulumi/actions@v6", if: GUARD, with: { command: "up" } };
    const backup = { name: "backup", run: "webstack backup" };
    expect(guardProblems({ steps: [guard, backup, pulumiUp] })).toEqual(["step 1 (backup) runs even when the run is stale"]);
    expect(guardProblems({ steps: [pulumiUp, guard] })).toEqual(["the guard runs after pulumi up"]);
    expect(guardProblems({ steps: [{ ...guard, env: { REF: "${{ github.ref }}", SHA: "${{ github.event.before }}" } }, pulumiUp] })).toEqual([
      "the guard does not compare origin's branch with github.sha",
    ]);
    expect(guardProblems({ steps: [pulumiUp] })).toEqual(["no step runs scripts/branch-head.ts"]);
  });
});

describe("drift.yml", () => {
  const wf = workflow("drift.yml");
  const drift = wf.jobs.drift!;

  it("shares deploy.yml's concurrency group per stack and never cancels it", () => {
    const deployUp = workflow("deploy.yml").jobs.up!;
    for (const t of BRANCH_STACKS) {
      const values = { "needs.target.outputs.stack": t.stack };
      expect(expand(drift.concurrency!.group, values)).toBe(expand(deployUp.concurrency!.group, values));
    }
    expect(drift.concurrency!["cancel-in-progress"]).toBe(false);
    // At most one drift run per branch, so a drift job never replaces a deploy waiting in the group.
    expect(wf.concurrency).toEqual({ group: "drift-${{ github.event_name }}-${{ github.ref }}", "cancel-in-progress": false });
  });

  it("every morning starts one run per long-lived branch, so each check meets its environment's branch rules", () => {
    expect(wf.on.schedule).toHaveLength(1);
    expect(new Cron(wf.on.schedule[0].cron, { paused: true, timezone: "UTC" }).nextRun()).toBeInstanceOf(Date);
    const start = wf.jobs.start!;
    expect(start.if).toBe("github.event_name == 'schedule'");
    expect(start.strategy?.matrix?.branch).toEqual(BRANCH_STACKS.map((t) => t.branch));
    expect(start.steps.map((s) => s.run)).toEqual(['gh workflow run drift.yml --repo "$REPO" --ref "$BRANCH"']);
    expect(secretsIn(start)).toEqual([]);
    expect(wf.jobs.target!.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(environmentOf(drift)).toBe(FROM_TARGET_DRIFT);
  });

  it("previews the commit of the last successful update, not the branch head", () => {
    const history = stepIndex(drift, (s) => s.run?.includes("scripts/deployed-commit.ts") ?? false);
    const checkout = stepIndex(drift, (s) => s.uses?.startsWith("actions/checkout@") === true && s.with?.ref !== undefined);
    const preview = stepIndex(drift, (s) => s.run?.includes("pulumi preview") ?? false);
    expect(history).toBeGreaterThan(-1);
    expect(drift.steps[history]!.id).toBe("deployed");
    expect(drift.steps[history]!.run).toContain('pulumi stack history --stack "$STACK" --json');
    expect(drift.steps[checkout]!.with).toEqual({ ref: "${{ steps.deployed.outputs.sha }}", path: "deployed", "persist-credentials": false });
    expect(history).toBeLessThan(checkout);
    expect(checkout).toBeLessThan(preview);
    expect(drift.steps[preview]!.run).toMatch(/\(cd deployed && pulumi preview --stack "\$STACK" --refresh --expect-no-changes --diff /);
  });

  it("writes the report (with the diff) to the job summary even when the preview fails", () => {
    const step = drift.steps.find((s) => s.run?.includes("pulumi preview"))!;
    const lines = step.run!.split("\n").map((l) => l.trim()).filter(Boolean);
    // The preview's failure is caught, then the report runs and decides the step's result.
    expect(lines[0]).toBe("set +e");
    expect(lines).toContain("code=${PIPESTATUS[0]}");
    expect(lines.indexOf("code=${PIPESTATUS[0]}")).toBeLessThan(lines.findIndex((l) => l.includes("scripts/drift-report.ts")));
    expect(lines.at(-1)).toMatch(/^node --require \.\/launcher\.cjs scripts\/drift-report\.ts .*--exit-code "\$code" preview\.log$/);
    // Not pulumi/actions: it throws before writing its summary when the preview fails.
    expect(drift.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)).toEqual([]);
  });
});

/**
 * Ways a `pull_request_target` workflow could run the PR's code with the base repository's
 * secrets: checking out another ref or repository, fetching PR refs, or reading the head.
 */
function prCodeProblems(wf: Workflow, text: string): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    job.steps.forEach((s, i) => {
      if (s.uses?.startsWith("actions/checkout@")) {
        if (s.with?.ref !== undefined || s.with?.repository !== undefined) problems.push(`${id} step ${i}: checks out ${String(s.with?.repository ?? "")}@${String(s.with?.ref ?? "")}`);
        if (s.with?.["persist-credentials"] !== false) problems.push(`${id} step ${i}: leaves the token in .git/config`);
      }
      if (/git (fetch|checkout|pull|switch)|gh pr checkout/.test(s.run ?? "")) problems.push(`${id} step ${i}: runs git on other refs`);
    });
  }
  for (const m of text.matchAll(/github\.event\.pull_request\.head\.(ref|sha|label)|refs\/pull\/|github\.head_ref/g)) problems.push(`refers to ${m[0]}`);
  return problems;
}

describe("PR stacks: created on push, destroyed however the PR closes", () => {
  const up = workflow("pr-stack.yml");
  const destroy = workflow("pr-stack-destroy.yml");
  const destroyText = workflowText("pr-stack-destroy.yml");

  it("pr-stack.yml only creates and updates; closing is pr-stack-destroy.yml's", () => {
    expect(up.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened"] } });
    expect(destroy.on.pull_request_target).toEqual({ types: ["closed"] });
    expect(destroy.on).not.toHaveProperty("pull_request");
    expect(destroy.on).toHaveProperty("workflow_dispatch");
  });

  it("an update and a destroy of one PR stack share one group, and neither cancels the other", () => {
    for (const pr of ["7", "1234"]) {
      expect(expand(up.concurrency!.group, { "github.event.pull_request.number": pr })).toBe(`pulumi-pr-${pr}`);
      expect(expand(destroy.jobs.destroy!.concurrency!.group, { "matrix.pr": pr })).toBe(`pulumi-pr-${pr}`);
    }
    expect(up.concurrency!["cancel-in-progress"]).toBe(false);
    expect(destroy.jobs.destroy!.concurrency!["cancel-in-progress"]).toBe(false);
  });

  it("decides without secrets who gets a stack, and says why in the PR when not", () => {
    const { plan, notice, up: upJob } = up.jobs;
    expect(secretsIn(plan)).toEqual([]);
    expect(plan!.steps.find((s) => s.id === "plan")!.run).toContain("scripts/pr-stack-eligibility.ts");
    expect(upJob!.needs).toBe("plan");
    expect(upJob!.if).toBe("needs.plan.outputs.create == 'true'");
    expect(environmentOf(upJob!)).toBe("preview");
    expect(notice!.if).toBe("needs.plan.outputs.create == 'false'");
    expect(notice!.steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(notice!.steps[0]!.env?.REASON).toBe("${{ needs.plan.outputs.reason }}");
    expect(notice!.permissions).toEqual({ "pull-requests": "write" });
  });

  it("destroys on pull_request_target without ever checking out or reading the PR's code", () => {
    expect(prCodeProblems(destroy, destroyText)).toEqual([]);
    expect(destroy.permissions).toEqual({ contents: "read" });
  });

  it("the PR-code check catches a checkout of the PR head, a PR ref fetch, and a kept token", () => {
    const bad = `
name: bad
on: { pull_request_target: { types: [closed] } }
jobs:
  destroy:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.event.pull_request.head.sha }}", persist-credentials: false }
      - uses: actions/checkout@v4
      - run: git fetch origin pull/12/head
`;
    expect(prCodeProblems(parse(bad), bad)).toEqual([
      "destroy step 0: checks out @${{ github.event.pull_request.head.sha }}",
      "destroy step 1: leaves the token in .git/config",
      "destroy step 2: runs git on other refs",
      "refers to github.event.pull_request.head.sha",
    ]);
  });

  it("destroys from the state and the committed template: no stack file regenerated from the branch name", () => {
    const job = destroy.jobs.destroy!;
    expect(environmentOf(job)).toBe("preview");
    expect(JSON.stringify(job)).not.toContain("preview-stack.ts");
    const exists = job.steps.find((s) => s.id === "exists")!;
    expect(exists.run).toContain('pulumi stack select "$STACK" --non-interactive 2> select.err || code=$?');
    expect(exists.run).toContain('scripts/stack-exists.ts "$STACK" "$code" select.err');
    const run = job.steps.find((s) => s.run?.includes("pulumi destroy"))!;
    expect(run.if).toBe("steps.closed.outputs.proceed == 'true' && steps.exists.outputs.exists == 'true'");
    expect(run.run).toMatch(/pulumi destroy --stack "\$STACK" --config-file stacks\/preview\.yaml --yes/);
    expect(run.run).toContain('pulumi stack rm "$STACK" --yes');
  });

  it("on close: every same-repository PR but Dependabot's; nightly: what the reaper found", () => {
    const job = destroy.jobs.destroy!;
    expect(job.if).toContain("!cancelled()");
    expect(job.if).toContain("github.event.pull_request.user.login != 'dependabot[bot]'");
    expect(job.if).toContain("needs.closed-stacks.outputs.prs != '[]'");
    expect(job.strategy?.matrix?.pr).toBe(
      "${{ fromJSON(github.event_name == 'pull_request_target' && format('[{0}]', github.event.pull_request.number) || needs.closed-stacks.outputs.prs) }}",
    );
    expect(job.strategy).toMatchObject({ "fail-fast": false });
  });

  it("a nightly reaper finds every pr-<n> stack whose PR is closed, with the preview credentials", () => {
    expect(destroy.on.schedule).toHaveLength(1);
    const cron = new Cron(destroy.on.schedule[0].cron, { paused: true, timezone: "UTC" });
    const runs = cron.nextRuns(2, new Date("2026-01-01T00:00:00Z"));
    expect(runs[1]!.getTime() - runs[0]!.getTime()).toBe(24 * 3600 * 1000);
    const reaper = destroy.jobs["closed-stacks"]!;
    expect(reaper.if).toBe("github.event_name != 'pull_request_target'");
    expect(environmentOf(reaper)).toBe("preview");
    expect(reaper.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    const step = reaper.steps.find((s) => s.id === "closed")!;
    expect(step.run).toContain("pulumi stack ls --json --non-interactive > stacks.json");
    expect(step.run).toContain("scripts/closed-pr-stacks.ts stacks.json");
    expect(reaper.outputs?.prs).toBe("${{ steps.closed.outputs.prs }}");
  });
});

describe("Netlify frontends are built and deployed from CI", () => {
  const CLI = /^npm install --global --no-audit --no-fund netlify-cli@(\d+\.\d+\.\d+)$/m;
  const jobs = { "deploy.yml": workflow("deploy.yml").jobs.up!, "pr-stack.yml": workflow("pr-stack.yml").jobs.up! };
  const at = (job: Job, match: (s: Job["steps"][number]) => boolean) => stepIndex(job, match);

  it.each(Object.entries(jobs))("%s: after pulumi up, only for a Netlify stack, the pinned CLI with the token on its own step", (file, job) => {
    const up = at(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up");
    const which = at(job, (s) => s.run?.includes("scripts/netlify-deploy.ts") ?? false);
    const install = at(job, (s) => CLI.test(s.run ?? ""));
    const deploy = at(job, (s) => /^netlify deploy /m.test(s.run ?? ""));
    expect([up, which, install, deploy].every((i) => i >= 0), file).toBe(true);
    expect(up < which && which < install && install < deploy).toBe(true);
    expect(job.steps[which]!.id).toBe("netlify");
    for (const i of [install, deploy]) expect(job.steps[i]!.if).toContain("steps.netlify.outputs.deploy == 'true'");
    // Install scripts never see the token; the deploy step gets it and nothing else secret.
    expect(secretsIn(job.steps[install])).toEqual([]);
    expect(secretsIn(job.steps[deploy])).toEqual(["NETLIFY_AUTH_TOKEN"]);
    expect(job.steps[deploy]!.run).toMatch(/--site "\$SITE" --context "\$CONTEXT" .*--timeout \d+/);
    if (file === "deploy.yml") {
      const verify = at(job, (s) => s.run?.includes("webstack.cjs verify") ?? false);
      expect(deploy).toBeLessThan(verify);
      expect(job.steps[which]!.if).toContain("steps.up.outcome == 'success'");
      // Production honours a rollback's lock; branches deploy under their alias.
      expect(job.steps[deploy]!.run).toMatch(/PRODUCTION" = true \]; then target=\(--prod-if-unlocked\); else target=\(--alias "\$ALIAS"\)/);
    } else {
      expect(job.steps[which]!.run).toContain('--pr "$PR_NUMBER"');
      expect(job.steps[deploy]!.run).not.toContain("--prod");
    }
  });

  it("one exact CLI version, at least the one whose --prod-if-unlocked drafts instead of publishing over a lock (26.x runs on Node 20)", () => {
    const versions = new Set(Object.values(jobs).flatMap((j) => j.steps.flatMap((s) => [...(s.run ?? "").matchAll(new RegExp(CLI, "gm"))].map((m) => m[1]))));
    expect([...versions]).toEqual(["26.2.0"]);
  });

  it("every step that runs Pulumi or webstack against a stack has the credentials of every host the stack may use", () => {
    const PROVIDERS = ["CLOUDFLARE_API_TOKEN", "NETLIFY_AUTH_TOKEN", "RENDER_API_KEY", "SUPABASE_ACCESS_TOKEN", "VERCEL_API_TOKEN"];
    const missing: string[] = [];
    for (const [file, wf] of all()) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        job.steps.forEach((s, i) => {
          const command = String(s.with?.command ?? "");
          const pulumi = (s.uses?.startsWith("pulumi/actions@") && ["up", "preview", "refresh", "destroy"].includes(command)) || /(^\s*|&& |\(\s*)pulumi (up|preview|refresh|destroy)\b/m.test(s.run ?? "");
          const verify = /webstack\.cjs (verify|status)\b/.test(s.run ?? "");
          const moves = /webstack\.cjs (rollback|promote)\b/.test(s.run ?? "");
          const want = pulumi ? PROVIDERS : verify ? ["NETLIFY_AUTH_TOKEN", "RENDER_API_KEY", "SUPABASE_ACCESS_TOKEN", "VERCEL_API_TOKEN"] : moves ? ["NETLIFY_AUTH_TOKEN", "RENDER_API_KEY", "VERCEL_API_TOKEN"] : [];
          const have = secretsIn(s.env);
          for (const w of want) if (!have.includes(w)) missing.push(`${file} ${id} step ${i} (${s.name ?? s.uses}): ${w}`);
        });
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("netlify-deploy.ts: what CI deploys for a stack", () => {
  const site = "5f0c2c1e-0000-4000-8000-000000000001";
  const netlify = { frontendHost: "netlify" as const, frontendProjectId: site };

  it("production for the owner, the stack's branch under its alias with that branch's values, nothing on Vercel", () => {
    expect(planLines(netlifyDeployPlan({ ...netlify, frontendOwnsProduction: true }), { base: "web", locked: true })).toEqual([
      "deploy=true", `site=${site}`, "context=production", "production=true", "alias=", "base=web", "locked=true",
    ]);
    const staging = netlifyDeployPlan({ ...netlify, frontendOwnsProduction: false, frontendBranch: "staging" });
    expect(staging).toEqual({ deploy: true, site, context: "branch:staging", production: false, alias: "staging" });
    // The alias is the label of the URL the stack's FRONTEND_URL was computed from.
    expect(netlifyBranchUrl("shop-web", "staging")).toBe("https://staging--shop-web.netlify.app");
    expect(planLines(staging)).toContain("base=.");
    expect(netlifyDeployPlan({ frontendHost: "vercel", frontendProjectId: "prj_1" })).toMatchObject({ deploy: false, reason: expect.stringContaining("Vercel") });
    expect(netlifyDeployPlan({ environment: "preview" })).toMatchObject({ deploy: false });
    expect(planLines(netlifyDeployPlan({ ...netlify, frontendOwnsProduction: false }))[0]).toBe("deploy=false");
  });

  it("a branch that is no DNS label: a PR gets deploy-preview-<n>, a long-lived stack (or a branch with capitals) a clear error", () => {
    expect(netlifyDeployPlan({ ...netlify, frontendBranch: "feature/login" }, { pr: 42 })).toMatchObject({ context: "branch:feature/login", alias: "deploy-preview-42" });
    // The CLI lowercases --context: capitals would build with another context's values.
    expect(() => netlifyDeployPlan({ ...netlify, frontendBranch: "feature/Login" }, { pr: 42 })).toThrow(/capital letters/);
    const long = "a".repeat(38);
    expect(() => netlifyDeployPlan({ ...netlify, frontendBranch: long })).toThrow(/at most 37 characters/);
    // No branch URL is computed for it either, so the backend is never wired to a URL that cannot exist.
    expect(netlifyBranchUrl("s", long)).toBeUndefined();
  });
});
