import { HOURS_PER_MONTH } from "../config/budget";
import { workersTriggerLimit } from "./estimate";
import type { StackFacts } from "./facts";
import { PRICES } from "./prices";

export type WarningKind = "free-hours" | "cron-triggers" | "free-postgres" | "vercel-hobby" | "plan-mismatch";

export interface CostWarning {
  kind: WarningKind;
  /** `render:<ownerId>`, `cloudflare:<accountId>`, `vercel:<scope>` or `stack:<name>`. */
  scope: string;
  message: string;
  /** free-hours: the day of the month the workspace's free hours run out. */
  day?: number;
  /** free-hours: the hours a month counted; cron-triggers: the triggers counted. */
  used?: number;
  limit?: number;
}

/** A stack as the limits see it: a pull-request template counts once per expected open stack. */
export interface CountedStack {
  facts: StackFacts;
  copies: number;
}

/** How many times a stack counts across stacks: the preview template once per expected open PR. */
export function copiesOf(f: StackFacts): number {
  return f.environment === "preview" ? f.budget.previewStacks : 1;
}

const LONG_LIVED = new Set(["production", "staging", "development"]);

/**
 * Free-plan and account limits, summed per Render workspace and per Cloudflare account. Given
 * every stack, it is the cross-stack check of synth:diff; given one stack (copies 1), what that
 * stack alone crosses.
 */
export function limitWarnings(stacks: readonly CountedStack[]): CostWarning[] {
  return [...freeHours(stacks), ...cronTriggers(stacks), ...freePostgres(stacks), ...vercelPlans(stacks)];
}

/**
 * The day of the month a workspace's free hours run out, when its free services use `hours` a
 * month spread evenly over a 730-hour month: the limit falls during that day (1-based).
 */
export function dayLimitReached(hours: number, limit: number = PRICES.limits.renderFreeInstanceHours.value): number | undefined {
  if (hours <= limit) return undefined;
  return Math.floor(((limit / hours) * HOURS_PER_MONTH) / 24) + 1;
}

/** One Render workspace's free instance-hours a month: what its free services use, and the day they run out. */
export interface FreeHoursUse {
  ownerId: string;
  used: number;
  limit: number;
  /** The day of the month the hours run out; absent when they last the month. */
  day?: number;
  /** Every stack with free services here allows the overrun (webstack:budget.allowFreePlanOverrun). */
  allowed: boolean;
}

const hoursOf = (s: CountedStack, keptAwake: boolean) => (keptAwake ? HOURS_PER_MONTH : s.facts.budget.freeServiceHours);
const freeUsers = (group: readonly CountedStack[]) =>
  group.map((s) => ({ ...s, free: s.facts.services.filter((x) => x.plan === "free") })).filter((s) => s.free.length > 0 && s.copies > 0);

/** Free instance-hours a month per Render workspace (the gauge of the dashboard; the warning below). */
export function freeHoursUse(stacks: readonly CountedStack[]): FreeHoursUse[] {
  const limit = PRICES.limits.renderFreeInstanceHours.value;
  return [...groupBy(stacks, (s) => s.facts.renderOwnerId)].map(([ownerId, group]) => {
    const users = freeUsers(group);
    const used = users.reduce((sum, s) => sum + s.copies * s.free.reduce((h, x) => h + hoursOf(s, x.keptAwake), 0), 0);
    const day = dayLimitReached(used, limit);
    return { ownerId, used, limit, ...(day !== undefined ? { day } : {}), allowed: users.length > 0 && users.every((s) => s.facts.budget.allowFreePlanOverrun) };
  });
}

function freeHours(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const byOwner = groupBy(stacks, (s) => s.facts.renderOwnerId);
  for (const { ownerId: owner, used: total, limit, day, allowed } of freeHoursUse(stacks)) {
    if (day === undefined || allowed) continue;
    const users = freeUsers(byOwner.get(owner) ?? []);
    const counted = users
      .map(
        (s) =>
          `${s.facts.stack}${s.copies !== 1 ? ` ×${s.copies} (webstack:budget.previewStacks)` : ""}: ` +
          s.free
            .map((x) => `${x.name} ${hoursOf(s, x.keptAwake)} h${x.keptAwake ? " (kept awake)" : ""}${s.copies > 1 ? " each" : ""}`)
            .join(", "),
      )
      .join("; ");
    const assumed = [...new Set(users.map((s) => s.facts.budget.freeServiceHours))].join(" or ");
    out.push({
      kind: "free-hours",
      scope: `render:${owner}`,
      day,
      used: total,
      limit,
      message:
        `Render workspace ${owner}: free web services would run ${total} h a month, over the ${limit} free instance-hours; ` +
        `Render then suspends every free service in the workspace, from about day ${day} of each month until the 1st. ` +
        `Counted: ${counted}. Assumed: ${HOURS_PER_MONTH} h for a service kept awake, ${assumed} h for one that sleeps ` +
        `(webstack:budget.freeServiceHours), usage spread evenly over a ${HOURS_PER_MONTH}-hour month. ` +
        "Move a service to a paid plan, or set webstack:budget.allowFreePlanOverrun: true in each of these stacks to accept it.",
    });
  }
  return out;
}

/** One Cloudflare account's cron triggers against its limit (the smaller one when stacks disagree on the plan). */
export interface CronTriggerUse {
  accountId: string;
  plan: string;
  /** The stacks name different Workers plans for the account. */
  plans: string[];
  used: number;
  limit: number;
}

export function cronTriggerUse(stacks: readonly CountedStack[]): CronTriggerUse[] {
  const withWorkers = stacks.filter((s) => s.facts.workers);
  return [...groupBy(withWorkers, (s) => s.facts.workers!.accountId)].map(([accountId, group]) => {
    const plans = [...new Set(group.map((s) => s.facts.workers!.plan))].sort();
    // Stacks that disagree: the smaller limit is the one that can bite.
    const plan = plans.includes("free") ? "free" : "paid";
    return { accountId, plan, plans, used: group.reduce((sum, s) => sum + s.copies * s.facts.workers!.triggers, 0), limit: workersTriggerLimit(plan) };
  });
}

function cronTriggers(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const byAccount = groupBy(stacks.filter((s) => s.facts.workers), (s) => s.facts.workers!.accountId);
  for (const { accountId: account, plan, plans, used: total, limit } of cronTriggerUse(stacks)) {
    const group = byAccount.get(account) ?? [];
    if (plans.length > 1) out.push(mismatch(`cloudflare:${account}`, `the Workers plan of Cloudflare account ${account}`, "webstack:cron.plan", group.map((s) => [s.facts.stack, s.facts.workers!.plan])));
    if (total <= limit) continue;
    const counted = group
      .filter((s) => s.facts.workers!.triggers > 0 && s.copies > 0)
      .map((s) => `${s.facts.stack}${s.copies !== 1 ? ` ×${s.copies}` : ""} ${s.facts.workers!.triggers}${s.copies > 1 ? " each" : ""}`)
      .join(", ");
    out.push({
      kind: "cron-triggers",
      scope: `cloudflare:${account}`,
      used: total,
      limit,
      message:
        `Cloudflare account ${account}: ${total} cron triggers on Workers ${plan}, over its limit of ${limit} per account; ` +
        `the deploy that adds trigger ${limit + 1} fails. Counted: ${counted}. ` +
        "(Cloudflare's limits page counts per account, its cron page per Worker; each Worker here has at most 5.) " +
        (plan === "free" ? "Upgrade the account to Workers Paid (webstack:cron.plan: paid, $5/month per account) or drop schedules." : "Drop schedules."),
    });
  }
  return out;
}

function freePostgres(stacks: readonly CountedStack[]): CostWarning[] {
  const days = PRICES.limits.renderFreePostgresDays;
  return stacks
    .filter((s) => s.facts.postgres?.plan === "free" && LONG_LIVED.has(s.facts.environment))
    .map((s) => {
      const consumers = stacks
        .filter((c) => c.facts.databaseFrom?.split("/").pop() === s.facts.stack)
        .map((c) => c.facts.stack);
      return {
        kind: "free-postgres" as const,
        scope: `stack:${s.facts.stack}`,
        message:
          `${s.facts.postgres!.name} is a free Render Postgres behind the long-lived stack '${s.facts.stack}'` +
          `${consumers.length ? ` (shared with ${consumers.join(", ")})` : ""}: it expires ${days.value} days after creation ` +
          `(≈: ${days.note}) and Render keeps no backups of it. Use a paid plan (webstack:database.render.plan).`,
      };
    });
}

function vercelPlans(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const withVercel = stacks.filter((s) => s.facts.vercel);
  for (const [scope, group] of groupBy(withVercel, (s) => s.facts.vercel!.scope)) {
    if (new Set(group.map((s) => s.facts.vercel!.plan)).size > 1) {
      out.push(mismatch(`vercel:${scope}`, `the Vercel plan of team '${scope}'`, "webstack:frontend.plan", group.map((s) => [s.facts.stack, s.facts.vercel!.plan])));
    }
    for (const s of group) {
      if (s.facts.environment !== "production" || s.facts.vercel!.plan !== "hobby") continue;
      out.push({
        kind: "vercel-hobby",
        scope: `stack:${s.facts.stack}`,
        message:
          `Production stack '${s.facts.stack}' serves its frontend from Vercel Hobby (team '${scope}'), which is for ` +
          "non-commercial, personal use only. Set webstack:frontend.plan: pro ($20/month per account).",
      });
    }
  }
  return out;
}

function mismatch(scope: string, what: string, key: string, pairs: [string, string][]): CostWarning {
  return {
    kind: "plan-mismatch",
    scope,
    message: `Stacks disagree on ${what}: ${pairs.map(([s, p]) => `${s} '${p}'`).join(", ")}. Set the same ${key} in each.`,
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}
