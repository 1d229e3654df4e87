import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { rawSections } from "../../config/raw";
import type { StackConfig } from "../../config/schema";
import { validateStackConfig } from "../../config/validate";
import { stackFacts } from "../../cost/facts";
import { copiesOf, dayLimitReached, limitWarnings, type CostWarning } from "../../cost/limits";
import { costSection } from "../../cost/section";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const STACKS = ["prod", "staging", "dev", "pr-0"];
const OWNER = "tea-cs1ott7acme2prod4x0";
const ACCOUNT = "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60";

type Overrides = Partial<Record<string, Record<string, unknown>>>;

/** A stack's facts with some sections replaced, computed once per stack and replacement; each call gets its own copy. */
const factsOf = (() => {
  const seen = new Map<string, { facts: ReturnType<typeof stackFacts>; copies: number; config: StackConfig }>();
  return (stack: string, override: Record<string, unknown> = {}) => {
    const key = `${stack} ${JSON.stringify(override)}`;
    if (!seen.has(key)) {
      const raw = { ...rawSections(readStackFile(ROOT, stack).config), ...override };
      const r = validateStackConfig(raw, stack);
      if (!r.ok) throw new Error(r.errors.join("\n"));
      const facts = stackFacts(stack, r.config);
      seen.set(key, { facts, copies: copiesOf(facts), config: r.config });
    }
    return structuredClone(seen.get(key)!);
  };
})();

/** Every stack's facts, with some sections of some stacks replaced. */
function allStacks(overrides: Overrides = {}) {
  return STACKS.map((stack) => factsOf(stack, overrides[stack]));
}

const of = (warnings: CostWarning[], kind: CostWarning["kind"]) => warnings.filter((w) => w.kind === kind);
const yamlOf = (stack: string) => YAML.parse(readFileSync(stack === "pr-0" ? join(ROOT, "stacks", "preview.yaml") : join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;

describe("Render's 750 free hours a month per workspace", () => {
  it("the committed stacks run out, on the day the stated assumptions give", () => {
    // Assumptions (docs/cost.md): 730 h for a kept-awake service, 60 h for any other free one,
    // 3 pull-request stacks open; usage even over a 730-hour month.
    const dev = yamlOf("dev")["webstack:backend"];
    expect(dev.plan).toBe("free");
    expect(yamlOf("dev")["webstack:cron"].keepAlive).toBe(true);
    expect(yamlOf("pr-0")["webstack:backend"].plan).toBe("free");
    const hours = 730 + 60 * dev.branches.length + 3 * 60;
    const day = Math.floor(((750 / hours) * 730) / 24) + 1;
    expect([hours, day]).toEqual([1030, 23]);

    const [warning, ...rest] = of(limitWarnings(allStacks()), "free-hours");
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({ scope: `render:${OWNER}`, used: hours, limit: 750, day });
    expect(warning!.message).toContain(`free web services would run 1030 h a month, over the 750 free instance-hours; Render then suspends every free service in the workspace, from about day 23 of each month until the 1st.`);
    expect(warning!.message).toContain(
      "Counted: dev: ott-dev-api 730 h (kept awake), ott-dev-api-alice 60 h, ott-dev-api-bob 60 h; pr-0 ×3 (webstack:budget.previewStacks): ott-pr-0-api 60 h each.",
    );
    expect(warning!.message).toContain("60 h for one that sleeps (webstack:budget.freeServiceHours)");
  });

  it("dev alone crosses it too, so its own synth warns", () => {
    const [w, ...rest] = of(costSection("dev", allStacks()[2]!.config).warnings, "free-hours");
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ used: 850, day: Math.floor(((750 / 850) * 730) / 24) + 1 });
    expect(w!.day).toBe(27);
  });

  it("a stack without a keep-alive and with few branches does not", () => {
    const dev = allStacks()[2]!.config;
    const hourly = dev.cron!.jobs.map((j) => ({ ...j, schedule: "0 * * * *" }));
    const quiet = allStacks({ dev: { cron: { ...dev.cron, keepAlive: false, jobs: hourly }, backend: { ...dev.backend, branches: ["alice"] } } });
    expect(quiet.map((s) => s.facts.services.filter((x) => x.plan === "free").length)).toEqual([0, 0, 2, 1]);
    expect(of(limitWarnings(quiet), "free-hours")).toEqual([]); // 2 × 60 + 3 × 60 = 300 h
    expect(of(costSection("dev", quiet[2]!.config).warnings, "free-hours")).toEqual([]);
  });

  it("follows freeServiceHours and previewStacks, and is silenced only when every stack with free services allows it", () => {
    const warn = (o: Overrides) => of(limitWarnings(allStacks(o)), "free-hours");
    expect(warn({ "pr-0": { budget: { previewStacks: 0 } }, dev: { budget: { freeServiceHours: 5 } } })).toEqual([]); // 730 + 2 × 5
    expect(warn({ "pr-0": { budget: { previewStacks: 10 } } })[0]).toMatchObject({ used: 730 + 120 + 600 });
    expect(warn({ dev: { budget: { allowFreePlanOverrun: true } } })).toHaveLength(1);
    const both = { allowFreePlanOverrun: true };
    expect(warn({ dev: { budget: both }, "pr-0": { budget: both } })).toEqual([]);
    expect(of(costSection("dev", allStacks({ dev: { budget: both } })[2]!.config).warnings, "free-hours")).toEqual([]);
  });

  it("gives the day a limit falls on", () => {
    expect(dayLimitReached(750)).toBeUndefined();
    expect(dayLimitReached(751)).toBe(31);
    expect(dayLimitReached(1460)).toBe(16); // twice the hours: half-way through the month
  });
});

describe("Cloudflare cron triggers per account", () => {
  it("counts every stack's schedules against the account limit", () => {
    // prod and staging: one job each; dev: a job and the keep-alive; PR stacks: cron disabled.
    const triggers = allStacks().map((s) => s.facts.workers?.triggers);
    expect(triggers).toEqual([1, 1, 2, 0]);
    expect(of(limitWarnings(allStacks()), "cron-triggers")).toEqual([]); // 4 of 5

    const pr = allStacks()[3]!.config.cron!;
    const enabled = allStacks({ "pr-0": { cron: { ...pr, enabled: true } } });
    const [w, ...rest] = of(limitWarnings(enabled), "cron-triggers");
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ scope: `cloudflare:${ACCOUNT}`, used: 4 + 3 * 1, limit: 5 });
    expect(w!.message).toContain(`Cloudflare account ${ACCOUNT}: 7 cron triggers on Workers free, over its limit of 5 per account; the deploy that adds trigger 6 fails. Counted: prod 1, staging 1, dev 2, pr-0 ×3 1 each.`);
  });

  it("allows 250 on Workers Paid, whose $5 is one shared fee, and flags stacks that disagree on the plan", () => {
    const paid = (s: string, enabled?: boolean) => ({ cron: { ...allStacks()[STACKS.indexOf(s)]!.config.cron!, plan: "paid", ...(enabled ? { enabled } : {}) } });
    const all = allStacks({ prod: paid("prod"), staging: paid("staging"), dev: paid("dev"), "pr-0": paid("pr-0", true) });
    expect(limitWarnings(all).filter((w) => w.kind === "cron-triggers" || w.kind === "plan-mismatch")).toEqual([]);
    const fee = costSection("prod", all[0]!.config).shared.find((s) => s.shared === `cloudflare:${ACCOUNT}`);
    expect(fee).toMatchObject({ plan: "Workers paid", cents: [500, 500], approx: false });
    expect(costSection("prod", all[0]!.config).total.cents).toEqual([8350, 13350]); // shared fees stay out of a stack's total

    const mixed = of(limitWarnings(allStacks({ prod: paid("prod") })), "plan-mismatch");
    expect(mixed.map((w) => w.message)).toEqual([
      `Stacks disagree on the Workers plan of Cloudflare account ${ACCOUNT}: prod 'paid', staging 'free', dev 'free', pr-0 'free'. Set the same webstack:cron.plan in each.`,
    ]);
  });
});

describe("free Postgres and Vercel Hobby", () => {
  it("warns when a free Postgres backs a long-lived stack, naming the stacks that share it", () => {
    const staging = allStacks()[1]!.config.database as any;
    const free = { database: { ...staging, render: { ...staging.render, plan: "free" } } };
    const [w, ...rest] = of(limitWarnings(allStacks({ staging: free })), "free-postgres");
    expect(rest).toEqual([]);
    expect(w!.message).toContain("ott-staging-db is a free Render Postgres behind the long-lived stack 'staging' (shared with dev, pr-0): it expires 30 days after creation");
    expect(w!.message).toContain("90 days plus 14 days' grace");
    // A pull-request stack's own free database is short-lived by design.
    const pr = { database: { mode: "isolated", server: "render", render: { plan: "free" } } };
    expect(of(limitWarnings(allStacks({ "pr-0": pr })), "free-postgres")).toEqual([]);
  });

  it("warns about every stack on Vercel Hobby (no team collaboration at all), not only production, and not on Pro", () => {
    const [w, ...rest] = of(limitWarnings(allStacks()), "vercel-hobby");
    expect(rest).toEqual([]);
    expect(w!.message).toBe(
      "'prod', 'staging', 'dev', 'pr-0' serve the frontend from Vercel Hobby ('acme'), which is for non-commercial, personal use only and has no team collaboration " +
        "(one person deploys and sees the project); prod is production. Set webstack:frontend.plan: pro ($20/month per account) in each.",
    );
    expect(of(costSection("dev", allStacks()[2]!.config).warnings, "vercel-hobby")).toHaveLength(1);
    expect(of(costSection("prod", allStacks()[0]!.config).warnings, "vercel-hobby")).toHaveLength(1);
    const pro = (s: number) => ({ frontend: { ...allStacks()[s]!.config.frontend, plan: "pro" } });
    const all = allStacks({ prod: pro(0), staging: pro(1), dev: pro(2), "pr-0": pro(3) });
    expect(limitWarnings(all).filter((x) => x.kind === "vercel-hobby" || x.kind === "plan-mismatch")).toEqual([]);
  });
});

describe("Render workspace limits", () => {
  it("bills the workspace plan once, and warns when a Hobby workspace would autoscale", () => {
    const all = allStacks();
    expect(all.map((s) => s.facts.renderWorkspacePlan)).toEqual(["pro", "pro", "pro", "pro"]);
    expect(of(limitWarnings(all), "render-workspace")).toEqual([]);
    const fee = costSection("prod", all[0]!.config).shared.find((s) => s.shared === `render:${OWNER}`);
    expect(fee).toMatchObject({ plan: "pro", cents: [2500, 2500], approx: true });
    const hobby = (s: number) => ({ app: { ...allStacks()[s]!.config.app, renderWorkspacePlan: "hobby" } });
    const onHobby = allStacks({ prod: hobby(0), staging: hobby(1), dev: hobby(2), "pr-0": hobby(3) });
    const [w, ...rest] = of(limitWarnings(onHobby), "render-workspace");
    expect(rest).toEqual([]);
    expect(w!.message).toMatch(/^Render workspace tea-\w+ is on Hobby, but prod autoscales \(webstack:backend.autoscaling\), which needs a paid workspace/);
    expect(of(limitWarnings(allStacks({ prod: hobby(0) })), "plan-mismatch")[0]!.message).toContain("Set the same webstack:app.renderWorkspacePlan in each.");
  });

  it("warns about a second free Postgres or Key Value in one workspace", () => {
    expect(of(limitWarnings(allStacks()), "free-instance")).toEqual([]);
    const staging = allStacks()[1]!.config.database as any;
    const freeDb = { database: { ...staging, render: { ...staging.render, plan: "free" } } };
    const prDb = { database: { mode: "isolated", server: "render", render: { plan: "free" } } };
    const [w, ...rest] = of(limitWarnings(allStacks({ staging: freeDb, "pr-0": prDb })), "free-instance");
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ used: 4, limit: 1 });
    expect(w!.message).toContain("4 free Postgres instances (staging, pr-0 ×3)");
    const kv = { cache: { mode: "own", plan: "free" } };
    const kvWarnings = of(limitWarnings(allStacks({ staging: kv, dev: kv })), "free-instance");
    expect(kvWarnings.map((x) => x.message)).toEqual([expect.stringContaining("2 free Key Value instances (staging, dev)")]);
  });

  it("warns when the pull-request stacks opened within an hour would pass Render's 20 service creates", () => {
    expect(of(limitWarnings(allStacks()), "create-quota")).toEqual([]); // 3 × 1
    const [w] = of(limitWarnings(allStacks({ "pr-0": { budget: { previewStacks: 21 } } })), "create-quota");
    expect(w).toMatchObject({ used: 21, limit: 20 });
    expect(w!.message).toContain("pr-0 ×21 (webstack:budget.previewStacks) with 1 service each would create 21 services if opened within an hour, over Render's 20 service creates an hour per workspace");
  });

  it("counts a free service as awake when any enabled job calls it at least every 15 minutes, keep-alive or not", () => {
    const dev = allStacks()[2]!.config;
    const job = { name: "sync", schedule: "*/5 * * * *", path: "/internal/cron/sync", method: "POST" };
    const awake = allStacks({ dev: { cron: { ...dev.cron, keepAlive: false, jobs: [job] } } });
    expect(awake[2]!.facts.services[0]!.keptAwake).toBe(true);
    const hourly = allStacks({ dev: { cron: { ...dev.cron, keepAlive: false, jobs: [{ ...job, schedule: "0 * * * *" }] } } });
    expect(hourly[2]!.facts.services[0]!.keptAwake).toBe(false);
    const off = allStacks({ dev: { cron: { ...dev.cron, enabled: false, keepAlive: false, jobs: [job] } } });
    expect(off[2]!.facts.services[0]!.keptAwake).toBe(false);
  });
});
