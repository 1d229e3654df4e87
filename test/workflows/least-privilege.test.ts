// Least privilege in every workflow, read from the parsed YAML (issue 20): credentials only in the
// env of the steps that use them, actions pinned to commits, the Pulumi CLI version pinned, and no
// dependency cache where PR code or a destroy runs with credentials.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness";
import { parse, secretsIn, triggers, workflow, workflowFiles, workflowText, type Job, type Step, type Workflow } from "./workflows";

/**
 * The commits the workflows may use, each read from its repository's release tag
 * (`git rev-parse <tag>^{commit}` in a mirror of the action's repository). A new pin is added
 * here on purpose, with the tag it was read from.
 */
const PINS: Record<string, string> = {
  "actions/checkout@11d5960a326750d5838078e36cf38b85af677262": "v4.4.0",
  "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020": "v4.4.0",
  "pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58": "v6.6.1",
  "actions/github-script@f28e40c7f34bde8b3046d885e986cb6290c5673b": "v7.1.0",
  "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093": "v4.3.0",
  "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02": "v4.6.2",
};

const all = (): [string, Workflow][] => workflowFiles().map((f) => [f, workflow(f)]);

/** Every place outside a step's `env` where a workflow names a secret (GITHUB_TOKEN aside). */
function credentialPlacementProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  const flag = (where: string, node: unknown) => {
    const names = secretsIn(node);
    if (names.length) problems.push(`${file} ${where}: ${names.join(", ")}`);
  };
  flag("workflow env", wf.env);
  for (const [id, job] of Object.entries(wf.jobs)) {
    flag(`${id} job env`, job.env);
    flag(`${id} outputs`, job.outputs);
    job.steps.forEach((s, i) => {
      const { env: _env, ...rest } = s;
      flag(`${id} step ${i} (${s.name ?? s.uses ?? s.run?.split("\n")[0]}) outside env`, rest);
      // Installing dependencies runs every package's install script: never with a credential.
      if (/\bnpm (ci|install)\b/.test(s.run ?? "")) flag(`${id} step ${i} (npm) env`, s.env);
    });
  }
  return problems;
}

/** `uses:` lines not pinned to a known commit with its tag in a comment. */
function pinProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(\S+))?\s*$/gm)) {
    const [, ref, comment] = m;
    if (!/@[0-9a-f]{40}$/.test(ref!)) problems.push(`${file}: ${ref} is not pinned to a commit`);
    else if (PINS[ref!] === undefined) problems.push(`${file}: ${ref} is not a commit read from a release tag (add it to PINS with its tag)`);
    else if (comment !== PINS[ref!]) problems.push(`${file}: ${ref} is ${PINS[ref!]}, but its comment says ${comment ?? "nothing"}`);
  }
  return problems;
}

/** Jobs that install dependencies from a cache although PR code or a destroy runs there with credentials. */
function cacheProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  const prTarget = triggers(wf).includes("pull_request_target");
  for (const [id, job] of Object.entries(wf.jobs)) {
    const destroys = JSON.stringify(job).includes("pulumi destroy");
    const credentials = secretsIn(job).length > 0;
    if (!prTarget && !destroys && !credentials) continue;
    job.steps.forEach((s, i) => {
      const cached = s.with?.cache !== undefined || s.with?.["package-manager-cache"] === true || s.uses?.startsWith("actions/cache");
      if (cached) problems.push(`${file} ${id} step ${i}: a dependency cache in a ${prTarget ? "pull_request_target" : destroys ? "destroy" : "credentialed"} job`);
    });
  }
  return problems;
}

const pulumiSteps = (job: Job): Step[] => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("least privilege in every workflow", () => {
  it("no secret outside a step's env, and none on a step that installs dependencies", () => {
    expect(all().flatMap(([f, wf]) => credentialPlacementProblems(f, wf))).toEqual([]);
  });

  it("the check catches a credential in a job's env, a step's `with`, a run line and on npm ci", () => {
    const bad = parse(`
on: push
jobs:
  up:
    runs-on: x
    env: { RENDER_API_KEY: "\${{ secrets.RENDER_API_KEY }}" }
    steps:
      - run: npm ci
        env: { NPM_TOKEN: "\${{ secrets.NPM_TOKEN }}" }
      - uses: pulumi/actions@x
        with: { cloud-url: "\${{ secrets.PULUMI_BACKEND }}", github-token: "\${{ secrets.GITHUB_TOKEN }}" }
      - run: echo "\${{ secrets.VERCEL_API_TOKEN }}"
      - run: pulumi up
        env: { PULUMI_ACCESS_TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
`);
    expect(credentialPlacementProblems("bad.yml", bad)).toEqual([
      "bad.yml up job env: RENDER_API_KEY",
      "bad.yml up step 0 (npm) env: NPM_TOKEN",
      "bad.yml up step 1 (pulumi/actions@x) outside env: PULUMI_BACKEND",
      'bad.yml up step 2 (echo "${{ secrets.VERCEL_API_TOKEN }}") outside env: VERCEL_API_TOKEN',
    ]);
  });

  it("every action is pinned to a commit read from a release tag, with that tag in a comment", () => {
    expect(workflowFiles().flatMap((f) => pinProblems(f, workflowText(f)))).toEqual([]);
    const used = new Set(workflowFiles().flatMap((f) => [...workflowText(f).matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]!)));
    expect([...used].sort()).toEqual(Object.keys(PINS).sort());
  });

  it("the pin check catches a tag, an unknown commit and a wrong comment", () => {
    const text = [
      "      - uses: actions/checkout@v4",
      "      - uses: actions/checkout@0123456789012345678901234567890123456789 # v4.4.0",
      "      - uses: pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58 # v6",
    ].join("\n");
    expect(pinProblems("x.yml", text)).toEqual([
      "x.yml: actions/checkout@v4 is not pinned to a commit",
      "x.yml: actions/checkout@0123456789012345678901234567890123456789 is not a commit read from a release tag (add it to PINS with its tag)",
      "x.yml: pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58 is v6.6.1, but its comment says v6",
    ]);
  });

  it("every Pulumi CLI comes in the version of the SDK the program runs with", () => {
    const version = readFileSync(join(ROOT, ".pulumi.version"), "utf8").trim();
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const sdk = pkg.dependencies?.["@pulumi/pulumi"] ?? pkg.devDependencies?.["@pulumi/pulumi"];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sdk).toBe(version);
    const steps = all().flatMap(([f, wf]) => Object.entries(wf.jobs).flatMap(([id, job]) => pulumiSteps(job).map((s) => [`${f}/${id}`, s] as const)));
    expect(steps.length).toBeGreaterThanOrEqual(8);
    for (const [where, s] of steps) expect(s.with?.["pulumi-version-file"], where).toBe(".pulumi.version");
    // A job that runs the CLI itself installs it first, pinned, with pulumi/actions.
    for (const [f, wf] of all()) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const first = job.steps.findIndex((s) => /(^|\n|\()\s*pulumi (stack|preview|destroy|config)/.test(s.run ?? ""));
        if (first >= 0) expect(pulumiSteps(job).length, `${f}/${id}`).toBeGreaterThan(0);
        if (first >= 0) expect(job.steps.indexOf(pulumiSteps(job)[0]!), `${f}/${id}`).toBeLessThan(first);
      }
    }
  });

  it("no dependency cache in pull_request_target, destroy or credentialed jobs", () => {
    expect(all().flatMap(([f, wf]) => cacheProblems(f, wf))).toEqual([]);
    // The test jobs, which hold no credential, keep theirs.
    expect(workflow("pr-review.yml").jobs.test!.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!.with?.cache).toBe("npm");
    const bad = parse(`
on: { pull_request_target: { types: [closed] } }
jobs:
  a: { runs-on: x, steps: [{ uses: actions/setup-node@x, with: { cache: npm } }] }
`);
    expect(cacheProblems("bad.yml", bad)).toEqual(["bad.yml a step 0: a dependency cache in a pull_request_target job"]);
  });

  it("no checkout leaves the token in .git/config", () => {
    for (const [f, wf] of all()) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const s of job.steps.filter((x) => x.uses?.startsWith("actions/checkout@"))) expect(s.with?.["persist-credentials"], `${f}/${id}`).toBe(false);
      }
    }
  });
});

describe("PR stacks re-check their pull request inside the stack's group", () => {
  it("the update checks the PR is still open before it creates anything", () => {
    const job = workflow("pr-stack.yml").jobs.up!;
    const check = job.steps.findIndex((s) => s.id === "open");
    expect(job.steps[check]!.run).toBe('node --require ./launcher.cjs scripts/pr-state.ts --pr "$PR_NUMBER" --want open');
    expect(job.steps[check]!.env).toEqual({ GITHUB_TOKEN: "${{ github.token }}" });
    const create = job.steps.findIndex((s) => s.run?.includes("pulumi stack select --create"));
    expect(check).toBeLessThan(create);
    for (const s of job.steps.slice(check + 1)) expect(s.if, s.name ?? s.uses).toContain("steps.open.outputs.proceed == 'true'");
  });

  it("the destroy, on close and nightly, checks the PR is still closed right before destroying", () => {
    const job = workflow("pr-stack-destroy.yml").jobs.destroy!;
    const check = job.steps.findIndex((s) => s.id === "closed");
    expect(job.steps[check]!.run).toBe('node --require ./launcher.cjs scripts/pr-state.ts --pr "$PR_NUMBER" --want closed');
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    const destroy = job.steps.findIndex((s) => s.run?.includes("pulumi destroy"));
    expect(check).toBeLessThan(destroy);
    expect(job.steps[destroy]!.if).toContain("steps.closed.outputs.proceed == 'true'");
  });

  it("eligibility asks GitHub for the other PRs from the branch with a read-only token", () => {
    const plan = workflow("pr-stack.yml").jobs.plan!;
    expect(plan.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    expect(plan.steps.find((s) => s.id === "plan")!.env?.GITHUB_TOKEN).toBe("${{ github.token }}");
  });
});
