import { HOURS_PER_MONTH } from "../config/budget";
import { workersTriggerLimit } from "./estimate";
import type { StackFacts } from "./facts";
import { PRICES } from "./prices";
import { FREE_ACTIVE_PROJECTS, FREE_PAUSE_AFTER_DAYS } from "../providers/supabase/facts";

export type WarningKind =
  | "free-hours"
  | "cron-triggers"
  | "free-postgres"
  | "free-instance"
  | "create-quota"
  | "render-workspace"
  | "vercel-hobby"
  | "netlify-free"
  | "plan-mismatch"
  | "supabase-free";

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
  return [
    ...freeHours(stacks),
    ...cronTriggers(stacks),
    ...freePostgres(stacks),
    ...freeInstances(stacks),
    ...createQuota(stacks),
    ...renderWorkspaces(stacks),
    ...vercelPlans(stacks),
    ...netlifyPlans(stacks),
    ...supabaseFree(stacks),
  ];
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

/** Render gives a workspace one free Postgres and one free Key Value; a second one is refused at create. */
function freeInstances(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  for (const [owner, group] of groupBy(stacks, (s) => s.facts.renderOwnerId)) {
    const kinds = [
      ["Postgres", "webstack:database.render.plan", PRICES.limits.renderFreePostgresPerWorkspace.value, (s: CountedStack) => s.facts.postgres?.plan === "free"],
      ["Key Value", "webstack:cache.plan", PRICES.limits.renderFreeKeyValuePerWorkspace.value, (s: CountedStack) => s.facts.keyValue?.plan === "free"],
    ] as const;
    for (const [what, key, limit, isFree] of kinds) {
      const users = group.filter((s) => isFree(s) && s.copies > 0);
      const total = users.reduce((n, s) => n + s.copies, 0);
      if (total <= limit) continue;
      out.push({
        kind: "free-instance",
        scope: `render:${owner}`,
        used: total,
        limit,
        message:
          `Render workspace ${owner}: ${total} free ${what} instances (${users.map((s) => `${s.facts.stack}${s.copies !== 1 ? ` ×${s.copies}` : ""}`).join(", ")}), ` +
          `but a workspace may hold ${limit} (≈, render.com/docs/free); creating the next one fails. Use a paid plan (${key}) in all but one, or share one.`,
      });
    }
  }
  return out;
}

/**
 * Render allows 20 service creates an hour per workspace. Pull-request stacks opened together
 * (webstack:budget.previewStacks of them) each create their services at once: past the quota the
 * next create waits until the hour turns, longer than a deploy waits, and fails.
 */
function createQuota(stacks: readonly CountedStack[]): CostWarning[] {
  const limit = PRICES.limits.renderServiceCreatesPerHour.value;
  const out: CostWarning[] = [];
  for (const [owner, group] of groupBy(stacks, (s) => s.facts.renderOwnerId)) {
    const burst = group.filter((s) => s.facts.environment === "preview" && s.copies > 0 && s.facts.services.length > 0);
    const creates = burst.reduce((n, s) => n + s.copies * s.facts.services.length, 0);
    if (creates <= limit) continue;
    out.push({
      kind: "create-quota",
      scope: `render:${owner}`,
      used: creates,
      limit,
      message:
        `Render workspace ${owner}: ${burst.map((s) => `${s.facts.stack} ×${s.copies} (webstack:budget.previewStacks) with ${s.facts.services.length} service${s.facts.services.length === 1 ? "" : "s"} each`).join(", ")} ` +
        `would create ${creates} services if opened within an hour, over Render's ${limit} service creates an hour per workspace; ` +
        "the creates past it are refused until the hour turns. Lower webstack:budget.previewStacks, or open pull requests' stacks a few at a time.",
    });
  }
  return out;
}

/** One plan per workspace; autoscaling needs a paid one. */
function renderWorkspaces(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  for (const [owner, group] of groupBy(stacks, (s) => s.facts.renderOwnerId)) {
    if (new Set(group.map((s) => s.facts.renderWorkspacePlan)).size > 1) {
      out.push(mismatch(`render:${owner}`, `the plan of Render workspace ${owner}`, "webstack:app.renderWorkspacePlan", group.map((s) => [s.facts.stack, s.facts.renderWorkspacePlan])));
    }
    const scaled = group.filter((s) => s.facts.renderWorkspacePlan === "hobby" && s.facts.services.some((x) => x.instances[0] !== x.instances[1]));
    if (scaled.length > 0) {
      out.push({
        kind: "render-workspace",
        scope: `render:${owner}`,
        message:
          `Render workspace ${owner} is on Hobby, but ${scaled.map((s) => s.facts.stack).join(", ")} autoscale${scaled.length === 1 ? "s" : ""} (webstack:backend.autoscaling), ` +
          "which needs a paid workspace: Render refuses it. Set webstack:app.renderWorkspacePlan: pro ($25/month per workspace, ≈) and upgrade the workspace.",
      });
    }
  }
  return out;
}

/**
 * Supabase's free plan, per organization across stacks: at most 2 active free projects (the third
 * create is refused), and a free project pauses after 7 idle days (a staging nobody used for a
 * week is down). Stacks that disagree on the org's plan are reported too.
 */
function supabaseFree(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const withSupabase = stacks.filter((s) => s.facts.supabase && s.copies > 0);
  for (const [org, group] of groupBy(withSupabase, (s) => s.facts.supabase!.organization)) {
    const plans = [...new Set(group.map((s) => s.facts.supabase!.plan))];
    if (plans.length > 1) out.push(mismatch(`supabase:${org}`, `the plan of Supabase organization '${org}'`, "webstack:database.supabase.plan", group.map((s) => [s.facts.stack, s.facts.supabase!.plan])));
    const free = group.filter((s) => s.facts.supabase!.plan === "free");
    const total = free.reduce((n, s) => n + s.copies, 0);
    if (total > FREE_ACTIVE_PROJECTS) {
      out.push({
        kind: "supabase-free",
        scope: `supabase:${org}`,
        used: total,
        limit: FREE_ACTIVE_PROJECTS,
        message:
          `Supabase organization '${org}': ${total} free projects (${free.map((s) => `${s.facts.stack}${s.copies !== 1 ? ` ×${s.copies}` : ""}`).join(", ")}), ` +
          `over the ${FREE_ACTIVE_PROJECTS} active free projects a free organization may have (counted per Owner/Admin across the org); ` +
          "the create of the next one is refused. Share one project through consumer roles (webstack:database.mode: shared) " +
          "or set webstack:database.supabase.plan: pro.",
      });
    }
    for (const s of free.filter((x) => LONG_LIVED.has(x.facts.environment))) {
      out.push({
        kind: "supabase-free",
        scope: `stack:${s.facts.stack}`,
        message:
          `${s.facts.supabase!.name} is a free Supabase project behind the long-lived stack '${s.facts.stack}': Supabase pauses it ` +
          `after ${FREE_PAUSE_AFTER_DAYS} days without activity, and the backend then cannot connect until someone restores it. ` +
          "Use a paid plan (webstack:database.supabase.plan) for a stack that must stay up.",
      });
    }
  }
  return out;
}

/** Vercel Hobby is for non-commercial, personal use, and has no team collaboration at all: any stack on it is warned. */
function vercelPlans(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const withVercel = stacks.filter((s) => s.facts.vercel);
  for (const [scope, group] of groupBy(withVercel, (s) => s.facts.vercel!.scope)) {
    if (new Set(group.map((s) => s.facts.vercel!.plan)).size > 1) {
      out.push(mismatch(`vercel:${scope}`, `the Vercel plan of team '${scope}'`, "webstack:frontend.plan", group.map((s) => [s.facts.stack, s.facts.vercel!.plan])));
    }
    const hobby = group.filter((s) => s.facts.vercel!.plan === "hobby");
    if (hobby.length === 0) continue;
    const production = hobby.filter((s) => s.facts.environment === "production").map((s) => s.facts.stack);
    out.push({
      kind: "vercel-hobby",
      scope: `vercel:${scope}`,
      message:
        `${hobby.map((s) => `'${s.facts.stack}'`).join(", ")} serve${hobby.length === 1 ? "s" : ""} the frontend from Vercel Hobby ('${scope}'), ` +
        "which is for non-commercial, personal use only and has no team collaboration (one person deploys and sees the project)" +
        `${production.length ? `; ${production.join(", ")} is production` : ""}. Set webstack:frontend.plan: pro ($20/month per account) in each.`,
    });
  }
  return out;
}

/**
 * Netlify's free plans: a team that spends its credits has every site paused until the cycle resets
 * (Free's 300 credits are 20 production deploys), and the legacy Starter plan caps build minutes.
 * No non-commercial clause was found (netlify-api.md §8: current ToS wording unconfirmed).
 */
function netlifyPlans(stacks: readonly CountedStack[]): CostWarning[] {
  const out: CostWarning[] = [];
  const withNetlify = stacks.filter((s) => s.facts.netlify);
  for (const [scope, group] of groupBy(withNetlify, (s) => s.facts.netlify!.scope)) {
    if (new Set(group.map((s) => s.facts.netlify!.plan)).size > 1) {
      out.push(mismatch(`netlify:${scope}`, `the Netlify plan of team '${scope}'`, "webstack:frontend.netlify.plan", group.map((s) => [s.facts.stack, s.facts.netlify!.plan])));
    }
    const prod = group.filter((s) => s.facts.environment === "production");
    for (const s of prod) {
      const plan = s.facts.netlify!.plan;
      if (plan === "free") {
        out.push({
          kind: "netlify-free",
          scope: `stack:${s.facts.stack}`,
          message:
            `Production stack '${s.facts.stack}' serves its frontend from Netlify Free (team '${scope}'): 300 credits a month, a hard limit; ` +
            `a production deploy costs ${PRICES.netlify.productionDeployCredits}, and when they run out every site of the team is paused ` +
            "until the next cycle. Whether the terms allow commercial use is unconfirmed (≈). Set webstack:frontend.netlify.plan: pro ($20/month per team).",
        });
      } else if (plan === "starter") {
        out.push({
          kind: "netlify-free",
          scope: `stack:${s.facts.stack}`,
          message:
            `Production stack '${s.facts.stack}' serves its frontend from Netlify's legacy Starter plan (team '${scope}'): 300 build minutes and ` +
            "100 GB a month. webstack builds in CI, so build minutes are not spent, but bandwidth is capped.",
        });
      }
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
