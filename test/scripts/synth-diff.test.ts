import { execFile, execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../harness";
import { PRICES } from "../../cost/prices";
import { main } from "../../scripts/synth-diff";

/** A committed stack's estimate (cents, upper bound), as its committed snapshot records it. */
const costOf = (stack: string): number =>
  JSON.parse(readFileSync(join(ROOT, "snapshots", "synth", `${stack}.json`), "utf8")).cost.total.cents[1];

const exec = promisify(execFile);
/** The checkout's entries a synth needs, besides its stack files. */
const PROGRAM = ["index.ts", "stacks", "components", "config", "cost", "providers", "synth", "worker", "bundling", "scripts", "launcher.cjs", "package.json", "tsconfig.json"];
let dir: string;
let first: string;

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
    cwd: dir,
    encoding: "utf8",
  }).trim();

/** `npm run synth:diff` as CI runs it: the script's own process, in the scratch repository. */
async function synthDiffProcess(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["--require", "./launcher.cjs", "scripts/synth-diff.ts", ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: err.stdout as string, stderr: err.stderr as string };
  }
}

/** The script's main in this process, for the scratch repository; each side's synth still runs that checkout's CLI. */
async function synthDiff(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    { env: process.env, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: () => "" },
    dir,
  );
  return { code, stdout, stderr };
}

/** Resources the test adds to the program; a secret input shows whether redaction holds. */
const probes = (length: number, token: string, extra = "") => `
// synth-diff test probes
const probePulumi = require("@pulumi/pulumi");
const probeRandom = require("@pulumi/random");
new probeRandom.RandomString("probe-kept", { length: ${length}, special: false, keepers: { token: probePulumi.secret("${token}") } });
${extra}
`;

beforeAll(() => {
  // A scratch repository: a first commit without any synth, then the program with probes,
  // then one known change to them.
  dir = mkdtempSync(join(tmpdir(), "webstack-synth-diff-e2e-"));
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, ".git", "info", "exclude"), "node_modules\n");
  writeFileSync(join(dir, "README.md"), "# before the program\n");
  git("add", "-A");
  git("commit", "-qm", "empty");
  first = git("rev-parse", "HEAD");
  // What a synth runs: the program, its stack files, the synth and the scripts (tests and docs add nothing to a diff).
  for (const entry of readdirSync(ROOT)) {
    if (PROGRAM.includes(entry) || (/^Pulumi\..*ya?ml$/.test(entry) && !/^Pulumi\.pr-/.test(entry))) {
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const index = readFileSync(join(dir, "index.ts"), "utf8");
  writeFileSync(join(dir, "index.ts"), index + probes(8, "hunter2-before", `new probeRandom.RandomString("probe-removed", { length: 4 });`));
  git("add", "-A");
  git("commit", "-qm", "program with probes");
  writeFileSync(
    join(dir, "index.ts"),
    index + probes(12, "hunter2-after", `if (probePulumi.getStack() === "dev") new probeRandom.RandomString("probe-added", { length: 6 });`),
  );
  // A third branch service in dev (free) and a first one in staging (starter): each adds its
  // service and Vercel variables, and one more CORS origin.
  const devFile = join(dir, "Pulumi.dev.yaml");
  writeFileSync(devFile, readFileSync(devFile, "utf8").replace("      - bob\n", "      - bob\n      - carol\n"));
  const stagingFile = join(dir, "Pulumi.staging.yaml");
  const staging = readFileSync(stagingFile, "utf8");
  writeFileSync(stagingFile, staging.replace("      - api.staging.ott.example.com\n", "      - api.staging.ott.example.com\n    branches:\n      - carol\n"));
  git("commit", "-qam", "the known change");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A diff runs the synth CLI once per stack and ref, in child processes.
describe("npm run synth:diff", { timeout: 180_000 }, () => {
  it("against the previous commit shows exactly the known change, per stack", async () => {
    const r = await synthDiffProcess("HEAD~1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`## Offline synth diff: \`HEAD~1\` (${git("rev-parse", "--short=7", "HEAD~1")}) → working tree (`);
    // dev also gained probe-added, dev and staging carol's service and variables; every stack
    // lost probe-removed and changed probe-kept; dev's and staging's CORS (backend and bucket) gained carol's origin.
    expect(out).toContain("| `dev` | 4 | 1 | 3 |  |");
    expect(out).toContain("| `staging` | 3 | 1 | 3 |  |");
    for (const s of ["pr-0", "prod"]) expect(out).toContain(`| \`${s}\` | 0 | 1 | 1 |  |`);
    const type = "random:index/randomString:RandomString";
    expect(out).toContain(`| added | \`probe-added\` | \`${type}\` | |`);
    for (const stack of ["dev", "staging"]) {
      expect(out).toContain(`| added | \`ott-${stack}-api-carol\` | \`pulumi-nodejs:dynamic/render:Service\` | |`);
    }
    expect(out.match(/\| added \| `web-NEXT_PUBLIC_\w+-preview-carol` \|/g)).toHaveLength(4);
    expect(out.match(/\| added \|/g)).toHaveLength(7);
    // alice's and bob's variables now also depend on carol's service: not a change, as in `pulumi preview`.
    expect(out).not.toMatch(/changed \| `web-\S+-(alice|bob)`/);
    expect(
      out.match(/\| changed \| `env` \| `webstack:index:EnvVarSet` \| `variables\[CORS_ALLOWED_ORIGINS\]\.value`: \+ `"https:\/\/ott-web-git-carol-acme\.vercel\.app"` \|/g),
    ).toHaveLength(2);
    expect(
      out.match(
        /\| changed \| `storage-cors` \| `cloudflare:index\/r2BucketCors:R2BucketCors` \| `rules\[browser-presigned-urls\]\.allowed\.origins`: \+ `"https:\/\/ott-web-git-carol-acme\.vercel\.app"` \|/g,
      ),
    ).toHaveLength(2);
    expect(out.match(new RegExp(`\\| removed \\| \`probe-removed\` \\| \`${type}\` \\| \\|`, "g"))).toHaveLength(4);
    // The secret keeper changed too, but a secret never shows: only `length` is listed.
    expect(out.match(new RegExp(`\\| changed \\| \`probe-kept\` \\| \`${type}\` \\| \`length\`: \`8\` → \`12\` \\|`, "g"))).toHaveLength(4);
    expect(out.match(/\| changed \|/g)).toHaveLength(8);
    expect(out).not.toContain("hunter2");
    expect(out.match(/```mermaid\ngraph TD\n/g)).toHaveLength(4);

    // Cost: staging's new branch service costs exactly one starter instance more; dev's is free.
    const starter = PRICES.render.webService.starter!;
    const usd = (cents: number) => `${starter.confirmed ? "" : "≈"}$${(cents / 100).toFixed(2)}`;
    const before = costOf("staging");
    const after = before + Math.round(Number(starter.usd) * 100);
    expect(out).toContain(
      `| \`staging\` | ${usd(before)} | ${usd(after)} | +${usd(after - before)}/month: \`ott-staging-api-carol\` (starter ×1) |`,
    );
    expect(out).toContain("| `dev` | $0.00 | $0.00 | +$0.00/month: `ott-dev-api-carol` (free ×1) |");
    expect(out).toMatch(/\| `prod` \| (\S+) \| \1 \| no change \|/);
    expect(out).toContain('```mermaid\npie showData title Monthly cost per stack at head (upper bound, USD)\n');
    expect(out).toContain(`  "staging" : ${(after / 100).toFixed(2)}\n`);
    // The workspace's free hours with carol: dev kept awake, alice, bob, carol, 3 PR stacks.
    const hours = 730 + 3 * 60 + 3 * 60;
    const day = Math.floor(((750 / hours) * 730) / 24) + 1;
    expect(day).toBe(21);
    expect(out).toContain(`free web services would run ${hours} h a month, over the 750 free instance-hours; Render then suspends every free service in the workspace, from about day ${day} of each month`);
  });

  it("treats a base without the synth as empty, and reports a stack that no longer synthesizes", async () => {
    appendFileSync(join(dir, "Pulumi.staging.yaml"), "  webstack:databse: {}\n");
    try {
      const r = await synthDiff(first);
      expect(r.code).toBe(1);
      for (const s of ["dev", "pr-0", "prod"]) expect(r.stdout).toMatch(new RegExp(`\\| \`${s}\` \\| \\d+ \\| 0 \\| 0 \\| new stack \\|`));
      expect(r.stdout).toContain("| `staging` | – | – | – | synth failed at head |");
      // No estimate before the synth existed; none for a stack that fails.
      expect(r.stdout).toContain("| `dev` | – | $0.00 | new stack |");
      expect(r.stdout).toContain("| `staging` | – | – |  |");
      expect(r.stdout).toContain("webstack:databse: unknown key; did you mean 'database'?");
    } finally {
      git("checkout", "--", "Pulumi.staging.yaml");
    }
  });

  it("fails clearly on an unknown ref", async () => {
    const bad = await synthDiff("no-such-ref");
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe("synth:diff: unknown git ref 'no-such-ref'\n");
  });
});
