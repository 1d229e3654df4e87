import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { checkCron, checkJobs, MAX_SCHEDULES } from "../../components/cron-schedule";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const valid = () => rawSections(readStackFile(ROOT, "dev").config) as Record<string, any>;

function errorsFor(raw: Record<string, unknown>): string[] {
  const r = validateStackConfig(raw);
  if (r.ok) throw new Error("expected the config to be rejected");
  return r.errors;
}

describe("Cloudflare cron rules", () => {
  it.each([
    ["*/5 * * * *"],
    ["0 9 * * MON-FRI"],
    ["59 23 LW * *"],
    ["0 0 L * *"],
    ["0 0 L-3 * *"],
    ["0 0 15W * *"],
    ["0 18 * * FRIL"],
    ["0 0 * * */2"],
  ])("accepts %s without a warning", (expr) => {
    expect(checkCron(expr)).toEqual({ normalized: expr });
  });

  it.each([
    ["@daily", "Cloudflare does not accept macros"],
    ["@every 5m", "Cloudflare does not accept macros"],
    ["0 0 ? * MON", "does not accept '?'"],
    ["0 */5 * * * *", "got 6; Cloudflare has no seconds field"],
    ["* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["0 0 * * 0", "day of week 0 is not valid on Cloudflare"],
    ["0 0 * * 0-4", "day of week 0 is not valid on Cloudflare"],
    ["61 * * * *", "Invalid value for minute: 61"],
    ["0 0 31 2 *", "never fires"],
    ["0 0 L-40 * *", "'L-n' needs 1 <= n <= 30"],
    ["", "expected a cron expression"],
  ])("rejects %j", (expr, message) => {
    expect(checkCron(expr).error).toContain(message);
  });

  it("warns about numeric weekdays with their Cloudflare meaning in names", () => {
    expect(checkCron("10 7 * * 2-6").warning).toBe(
      "'10 7 * * 2-6': on Cloudflare day of week '2-6' means MON-FRI (1 = Sunday, unlike standard cron); " +
        "write names instead, e.g. 'MON-FRI', or 'MON-FRI' for weekdays",
    );
    expect(checkCron("0 17 * * 1").warning).toContain("'1' means SUN");
    expect(checkCron("0 12 * * 2#1").warning).toContain("'2#1' means MON#1");
    expect(checkCron("0 17 * * 1").error).toBeUndefined();
  });

  it("counts schedules after normalising spaces, keep-alive included", () => {
    const jobs = Array.from({ length: MAX_SCHEDULES }, (_, i) => ({ name: `j${i}`, schedule: `${i}  * * * *`, path: `/j${i}` }));
    expect(checkJobs(jobs).errors).toEqual([]);
    expect(checkJobs([...jobs, { name: "again", schedule: "0 * * * *", path: "/again" }]).schedules).toHaveLength(MAX_SCHEDULES);
    expect(checkJobs(jobs, { keepAlive: true }).errors.map((e) => e.path)).toEqual([["jobs"]]);
  });
});

describe("webstack:cron validation", () => {
  it("names the key of a bad cron expression", () => {
    const raw = valid();
    raw.cron.jobs.push({ name: "nightly", schedule: "@daily", path: "/internal/cron/nightly" });
    expect(errorsFor(raw)).toEqual([
      "webstack:cron.jobs[1].schedule: '@daily': Cloudflare does not accept macros; write the 5 fields, e.g. '0 0 * * *' for @daily",
    ]);
  });

  it("reports a bad expression next to other errors in the same section", () => {
    const raw = valid();
    raw.cron.accountId = "nope";
    raw.cron.jobs[0].schedule = "0 0 * * 0";
    expect(errorsFor(raw)).toEqual([
      "webstack:cron.accountId: expected a 32-character Cloudflare account id",
      "webstack:cron.jobs[0].schedule: '0 0 * * 0': day of week 0 is not valid on Cloudflare (1 = SUN ... 7 = SAT); write SUN",
    ]);
  });

  it("rejects duplicate job names and paths, and the reserved keep-alive name", () => {
    const raw = valid();
    raw.cron.jobs.push({ name: "expire-tickets", schedule: "0 * * * *", path: "/internal/cron/expire-tickets" });
    raw.cron.jobs.push({ name: "keep-alive", schedule: "0 * * * *", path: "/ping" });
    expect(errorsFor(raw)).toEqual([
      "webstack:cron.jobs[1].name: 'expire-tickets' is already the name of jobs[0]",
      "webstack:cron.jobs[1].path: '/internal/cron/expire-tickets' is already the path of jobs[0]",
      "webstack:cron.jobs[2].name: 'keep-alive' is reserved for the keep-alive ping",
    ]);
  });

  it("rejects more schedules than a Worker may hold", () => {
    const raw = valid(); // dev: keepAlive plus one job = 2 schedules
    for (const m of [1, 2, 3, 4]) raw.cron.jobs.push({ name: `job-${m}`, schedule: `${m} 0 * * *`, path: `/job-${m}` });
    expect(errorsFor(raw)).toEqual([
      "webstack:cron.jobs: 6 distinct schedules (keep-alive included), but a Worker gets at most 5 cron triggers (Cloudflare: 5 per account on Workers Free); let jobs share a schedule",
    ]);
  });

  it("fails `npm run synth` naming the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-cron-"));
    for (const entry of ["index.ts", "launcher.cjs", "Pulumi.yaml", "config", "cost", "components", "worker", "synth", "package.json", "tsconfig.json"]) {
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    const doc = YAML.parse(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config["webstack:cron"].jobs[0].schedule = "0 0 * * * *";
    writeFileSync(join(dir, "Pulumi.staging.yaml"), YAML.stringify(doc));
    const run = promisify(execFile)(process.execPath, ["--require", "./launcher.cjs", "synth/cli.ts", "staging"], { cwd: dir });
    const err = await run.then(
      () => undefined,
      (e: any) => e,
    );
    expect(err?.code).toBe(1);
    expect(err.stderr).toContain(
      "webstack:cron.jobs[0].schedule: '0 0 * * * *': expected 5 fields (minute hour day-of-month month day-of-week), got 6; Cloudflare has no seconds field",
    );
  });
});
