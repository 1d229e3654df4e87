/**
 * Validate first (issue 21): every mistake that used to get past validation, or to fail inside a
 * component or a provider's Check after resources were registered, is refused by the stack file's
 * validation: one line per problem, naming the full key. Proven in-process rule by rule, then once
 * through the synth CLI (exit 1, every line, no trace) and once through cmd/run (only the root
 * stack registered). Lean: one CLI run and one program run, side by side, and three in-process synths.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { prepareStack } from "../../synth/prepare";
import { otherStackClaims, readStackFile, SECURE_PLACEHOLDER, type StackFile } from "../../synth/stack-file";
import { runProgram, type ProgramRun } from "../engine/program-host";
import { one, revealed, ROOT, stackFileWith, synthProgram, synthStack } from "../harness";
import { stackFilesWith, synthInProcess } from "../synth/cli-run";

/** A stack name long enough to push the generated names over their providers' limits (59 characters). */
const LONG = "staging-eu-customer-acceptance-for-the-enterprise-tier-2026";

const rawOf = (stack: string) => rawSections(readStackFile(ROOT, stack).config) as Record<string, any>;
function errorsFor(raw: Record<string, unknown>, stack: string): string[] {
  const r = validateStackConfig(raw, stack);
  return r.ok ? [] : r.errors;
}

/** A JWT as Supabase issues its keys (unsigned here: only the payload is read). */
const jwt = (payload: object) =>
  ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", Buffer.from(JSON.stringify(payload)).toString("base64url"), "c2lnbmF0dXJl"].join(".");

describe("generated names fit their provider's limits, naming the key that makes them too long", () => {
  it("a long stack name: the R2 bucket, the Worker script and the PostgreSQL consumer roles", () => {
    expect(errorsFor(rawOf("staging"), LONG)).toEqual([
      `webstack:database.consumers[0]: 'dev' gets the PostgreSQL role 'ott_staging_eu_customer_acceptance_for_the_enterprise_tier_2026', which another role already has: role names are cut at 63 characters (PostgreSQL: identifiers longer than 63 bytes are truncated); shorten app.name or the stack name '${LONG}'`,
      `webstack:app.name: makes the R2 bucket name 'ott-${LONG}-files', which is 69 characters; R2 bucket names may have at most 63 (developers.cloudflare.com/r2/buckets/create-buckets (bucket names are 3–63 characters)); shorten the stack name '${LONG}' (59 characters) or app.name`,
      `webstack:app.name: makes the Worker script name 'ott-${LONG}-cron', which is 68 characters; Worker script names may have at most 63 (Cloudflare's Workers script naming conventions (at most 63 characters)); shorten the stack name '${LONG}' (59 characters) or app.name`,
    ]);
  });

  it("a branch service whose Render name passes 100 characters names that branch", () => {
    const raw = rawOf("dev");
    raw.app.name = "a".repeat(32);
    raw.backend.name = "b".repeat(32);
    raw.backend.branches = ["alice", "c".repeat(32)];
    expect(errorsFor(raw, "dev")).toEqual([
      `webstack:backend.branches[1]: makes the Render name '${"a".repeat(32)}-dev-${"b".repeat(32)}-${"c".repeat(32)}', which is 102 characters; Render names may have at most 100 ` +
        `(Render's API documents no limit; the Render providers' Check allows 100); shorten the branch service's name '${"c".repeat(32)}', backend.name or app.name`,
    ]);
  });

  it("two served branches whose Vercel variables would get the same resource names name the second branch", () => {
    const raw = rawOf("dev");
    raw.backend.branches = [{ name: "bob", branch: "feature/login" }, { name: "carol", branch: "feature-login" }];
    expect(errorsFor(raw, "dev")).toEqual([
      "webstack:backend.branches[1].branch: 'feature-login' and 'feature/login' give the frontend's Vercel variables the same resource names; rename a branch",
    ]);
  });

  it("a branch service building the production branch of a project the stack creates is refused", () => {
    const raw = rawOf("staging");
    delete raw.frontend.from;
    delete raw.frontend.projectId; // staging attaches to prod's project by id: make it the creator
    raw.backend.branches = [{ name: "hotfix", branch: "main" }];
    expect(errorsFor(raw, "staging")).toEqual([
      "webstack:backend.branches[0].branch: 'main' is the frontend's production branch, which deploys to production, not to a branch preview",
    ]);
  });

  it("a Vercel project name with '---' names frontend.name", () => {
    const raw = rawOf("prod");
    raw.frontend.name = "ott---web";
    expect(errorsFor(raw, "prod")).toEqual([
      "webstack:frontend.name: makes the Vercel project name 'ott---web', which is not a valid Vercel project name: it may not contain '---' " +
        "(Vercel's API: 'Project names can be up to 100 characters long and must be lowercase … cannot contain the sequence '---''); rename it",
    ]);
  });
});

describe("domains", () => {
  it("one host name once within a stack: backend twice, backend and frontend, an apex's www", () => {
    const raw = rawOf("prod");
    raw.backend.domains = ["api.ott.example.com", "api.ott.example.com", "ott.example.com", "example.org"];
    raw.frontend.domains = ["ott.example.com", "www.example.org"];
    expect(errorsFor(raw, "prod")).toEqual([
      "webstack:backend.domains[1]: 'api.ott.example.com' is already claimed by webstack:backend.domains[0]; list each host name once",
      "webstack:frontend.domains[0]: 'ott.example.com' is already claimed by webstack:backend.domains[2]: Render and Vercel would both claim it, and one of them would fail or take it over; list each host name once",
      "webstack:frontend.domains[1]: 'www.example.org' is already claimed by webstack:backend.domains[3] (the 'www.' redirect Render adds to example.org): Render and Vercel would both claim it, and one of them would fail or take it over; list each host name once",
    ]);
  });

  it("one host name per stack across the committed stack files and the PR template, checked by the synth", () => {
    const file = stackFileWith("staging", { backend: { ...rawOf("staging").backend, domains: ["api.ott.example.com"] } });
    const prepared = prepareStack(file, otherStackClaims(ROOT, "staging"));
    expect(prepared.ok ? [] : prepared.errors).toEqual([
      "webstack:backend.domains[0]: 'api.ott.example.com' is already claimed by stack 'prod' (Pulumi.prod.yaml, webstack:backend.domains[0]); a host name belongs to one stack",
    ]);
    // Every PR stack comes from one template: a domain there would be claimed by all of them.
    const template = rawOf("pr-7");
    template.frontend.domains = [{ domain: "pr.ott.example.com", gitBranch: "pr-head" }];
    expect(errorsFor(template, "pr-7")).toEqual([
      "webstack:frontend.domains: preview stacks cannot claim custom domains: every pull-request stack would claim the same names",
    ]);
    // The committed stacks claim disjoint names.
    for (const stack of ["prod", "staging", "dev", "pr-7"]) {
      const p = prepareStack(readStackFile(ROOT, stack), otherStackClaims(ROOT, stack));
      expect(p.ok ? [] : p.errors, stack).toEqual([]);
    }
  });
});

describe("secrets", () => {
  it("a webstack:secrets value committed in plain text is refused, with the command that encrypts it, never the value", () => {
    const dir = mkdtempSync(join(tmpdir(), "plain-secret-"));
    writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(ROOT, "Pulumi.yaml")));
    const doc = YAML.parse(readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    doc.config["webstack:secrets"] = { STRIPE_TEST_SECRET_KEY: "sk_test_plain4d2c", WEBHOOK_SIGNING_KEY: { secure: "v1:AAAAciphertext" } };
    writeFileSync(join(dir, "Pulumi.dev.yaml"), YAML.stringify(doc));
    const prepared = prepareStack(readStackFile(dir, "dev"));
    const errors = prepared.ok ? [] : prepared.errors;
    expect(errors).toEqual([
      "webstack:secrets.STRIPE_TEST_SECRET_KEY: stored in plain text in the stack file; rotate it, then: pulumi config set --stack dev --path --secret 'secrets.STRIPE_TEST_SECRET_KEY' '<value>'",
    ]);
    expect(errors.join("\n")).not.toContain("sk_test_plain4d2c");
  });

  it.each([
    ["NEXT_PUBLIC_STRIPE_KEY", "sk_live_51Hx0000000000000000000000", "a Stripe secret or restricted key (sk_live_/sk_test_/rk_…)"],
    ["VITE_GITHUB_TOKEN", `ghp_${"A".repeat(36)}`, "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_…)"],
    ["NEXT_PUBLIC_SLACK", "xoxb-1234567890-abcdefghij", "a Slack token (xoxb-/xoxp-/xoxa-/xoxr-/xoxs-…)"],
    ["NEXT_PUBLIC_AWS_KEY", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id (AKIA…/ASIA…)"],
    ["NEXT_PUBLIC_SUPABASE_KEY", "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz", "a Supabase secret key (sb_secret_…)"],
    ["NEXT_PUBLIC_SUPABASE_KEY", jwt({ iss: "supabase", ref: "abc", role: "service_role" }), "a JWT with a privileged role (a Supabase service_role key)"],
  ])("a literal %s holding a well-known secret format is refused, without echoing it", (name, value, what) => {
    const raw = rawOf("prod");
    raw.env.frontend[name] = value;
    const errors = errorsFor(raw, "prod");
    const prefix = name.startsWith("VITE_") ? "VITE_" : "NEXT_PUBLIC_";
    expect(errors).toEqual([
      `webstack:env.frontend.${name}: looks like ${what}, and frontend builds inline '${prefix}' variables into the browser bundle; ` +
        "rotate it, store it with 'pulumi config set --secret', and read it as {secret: NAME} under a name without the prefix",
    ]);
    expect(errors.join("\n")).not.toContain(value);
  });

  it("publishable keys pass in browser variables; a secret format in a server variable is refused as committed plaintext", () => {
    const raw = rawOf("prod");
    raw.env.frontend.NEXT_PUBLIC_STRIPE_PK = "pk_live_51Hx0000000000000000000000";
    raw.env.frontend.NEXT_PUBLIC_SUPABASE_ANON_KEY = jwt({ iss: "supabase", ref: "abc", role: "anon" });
    raw.env.frontend.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY = "sb_publishable_abc123";
    raw.env.backend.STRIPE_KEY = "sk_live_51Hx0000000000000000000000";
    expect(errorsFor(raw, "prod")).toEqual([
      "webstack:env.backend.STRIPE_KEY: looks like a Stripe secret or restricted key (sk_live_/sk_test_/rk_…), written in plain text in the stack file; " +
        "rotate it, then store it with 'pulumi config set --path --secret secrets.STRIPE_KEY <value>' and write {secret: STRIPE_KEY}",
    ]);
  });
});

describe("messages", () => {
  it("a key of the other mode says which mode it belongs to", () => {
    const raw = rawOf("dev");
    raw.cache.plan = "starter";
    raw.database.consumers = ["x"];
    expect(errorsFor(raw, "dev")).toEqual([
      "webstack:database.consumers: belongs to mode 'isolated', not 'shared'; remove it, or set webstack:database.mode: isolated",
      "webstack:cache.plan: belongs to mode 'own', not 'shared'; remove it, or set webstack:cache.mode: own",
    ]);
  });

  it("an unquoted numeric version is accepted as the major version; an unknown one is still refused", () => {
    const raw = rawOf("prod");
    raw.database.render.version = 17;
    const r = validateStackConfig(raw, "prod");
    expect(r.ok && r.config.database?.mode === "isolated" && r.config.database.render?.version).toBe("17");
    raw.database.render.version = 12;
    expect(errorsFor(raw, "prod")).toEqual(["webstack:database.render.version: expected '13' | '14' | '15' | '16' | '17' | '18'"]);
  });
});

describe("the offline synth", () => {
  const notify = { webhook: { secret: "NOTIFY_WEBHOOK_URL" } };

  it.each([
    ["not set", {}],
    ["encrypted in the stack file", { NOTIFY_WEBHOOK_URL: SECURE_PLACEHOLDER }],
  ])("synthesizes a stack with notify, its webhook secret %s", async (_, secrets) => {
    const file: StackFile = stackFileWith("staging", { notify, secrets: { STRIPE_SECRET_KEY: SECURE_PLACEHOLDER, WEBHOOK_SIGNING_KEY: SECURE_PLACEHOLDER, ...secrets } });
    const m = await synthProgram({ ...file, secretKeys: ["webstack:secrets"] });
    expect(m.outputs.notifyWebhookUrl).toBe("[secret]");
  });

  it("gives every service in dev its own cache key prefix, <stack>:<branch>: for branch services", async () => {
    const m = await synthStack("dev", undefined, { revealSecrets: true });
    const prefix = (name: string) => (revealed(one(m, "pulumi-nodejs:dynamic/render:Service", name).inputs.envVars) as Record<string, string>).CACHE_KEY_PREFIX;
    const prefixes = ["ott-dev-api", "ott-dev-api-alice", "ott-dev-api-bob"].map(prefix);
    expect(prefixes).toEqual(["dev:", "dev:alice:", "dev:bob:"]);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });
});

/** The same mistakes as a user makes them: a stack file of that long name, run as `npm run synth` and as `pulumi up`. */
describe("end to end: one line per problem, nothing registered", () => {
  const edit = (c: Record<string, any>) => {
    c["webstack:backend"].domains = ["api.ott.example.com", "api.ott.example.com", "qa.ott.example.com"];
    c["webstack:frontend"].domains = [{ domain: "qa.ott.example.com", gitBranch: "staging" }];
    c["webstack:cache"] = { mode: "shared", from: "acme/webstack/dev", plan: "free" };
    c["webstack:database"].render.version = 16;
    c["webstack:env"].frontend.NEXT_PUBLIC_STRIPE_KEY = "sk_live_51Hx0000000000000000000000";
  };
  const inProgram = [
    "webstack:backend.domains[1]: 'api.ott.example.com' is already claimed by webstack:backend.domains[0]; list each host name once",
    "webstack:frontend.domains[0]: 'qa.ott.example.com' is already claimed by webstack:backend.domains[2]: Render and Vercel would both claim it, and one of them would fail or take it over; list each host name once",
    `webstack:database.consumers[0]: 'dev' gets the PostgreSQL role`,
    `webstack:app.name: makes the R2 bucket name 'ott-${LONG}-files'`,
    `webstack:app.name: makes the Worker script name 'ott-${LONG}-cron'`,
  ];
  let synth: { code: number; stdout: string; stderr: string };
  let run: ProgramRun;

  beforeAll(async () => {
    // The committed stack files, plus a new one that makes the mistakes.
    const dir = stackFilesWith(
      "staging",
      (c) => {
        edit(c);
        c["webstack:secrets"] = { STRIPE_SECRET_KEY: "sk_live_plain9f1e", WEBHOOK_SIGNING_KEY: { secure: "v1:AAAA" } };
      },
      LONG,
    );
    // The synth CLI's code in-process (its entry runs in test/synth/cli.test.ts), reading that checkout's stack files.
    const cli = synthInProcess([LONG], { root: dir });
    // cmd/run, as `pulumi up` starts it: secrets arrive decrypted, as the CLI hands them over.
    const file = readStackFile(dir, LONG);
    const program = runProgram({
      file: { ...file, config: { ...file.config, "webstack:secrets": JSON.stringify({ STRIPE_SECRET_KEY: "sk", WEBHOOK_SIGNING_KEY: "wh" }) }, secretKeys: ["webstack:secrets"] },
      dryRun: false,
    });
    [synth, run] = await Promise.all([cli, program]);
  }, 60_000);

  it("npm run synth: exit 1, one line per problem naming its key, nothing synthesized, no stack trace", () => {
    expect(synth.code).toBe(1);
    expect(synth.stdout).toBe("");
    const lines = synth.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`Invalid configuration in Pulumi.${LONG}.yaml (9 problems):`);
    const problems = lines.slice(1).map((l) => l.trim());
    expect(problems).toHaveLength(9);
    for (const expected of [
      ...inProgram,
      "webstack:cache.plan: belongs to mode 'own', not 'shared'; remove it, or set webstack:cache.mode: own",
      "webstack:env.frontend.NEXT_PUBLIC_STRIPE_KEY: looks like a Stripe secret or restricted key",
      "webstack:secrets.STRIPE_SECRET_KEY: stored in plain text in the stack file",
      "webstack:backend.domains[0]: 'api.ott.example.com' is already claimed by stack 'prod' (Pulumi.prod.yaml, webstack:backend.domains[0])",
    ]) {
      expect(problems.filter((p) => p.startsWith(expected)), expected).toHaveLength(1);
    }
    expect(synth.stderr).not.toMatch(/\n\s+at /);
    expect(synth.stderr).not.toContain("sk_live_51Hx");
    expect(synth.stderr).not.toContain("sk_live_plain");
  });

  it("cmd/run (pulumi up): the program refuses before its first resource, only the root stack registered", () => {
    expect(run.code, run.stderr).toBe(32);
    const errors = run.logs.filter((l) => l.severity === "error").map((l) => l.message.replace(/\u001b\[[0-9;]*m/g, ""));
    expect(errors).toHaveLength(1);
    const [header, ...lines] = errors[0]!.split("\n");
    const problems = lines.map((l) => l.trim());
    // The synth's problems but the two only the stack files show: the plaintext secret and prod's domain.
    const expected = [...inProgram, "webstack:cache.plan: belongs to mode 'own'", "webstack:env.frontend.NEXT_PUBLIC_STRIPE_KEY: looks like a Stripe secret"];
    expect(header).toBe(`Invalid configuration for stack '${LONG}' (${expected.length} problems):`);
    expect(problems).toHaveLength(expected.length);
    for (const e of expected) expect(problems.filter((p) => p.startsWith(e)), e).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});
