import { COMPUTE_MONTHLY, FREE_ACTIVE_PROJECTS, FREE_PAUSE_AFTER_DAYS, IPV4_MONTHLY, ORG_PLAN_MONTHLY, PAID_COMPUTE_CREDIT } from "../providers/supabase/facts";
import { HOURS_PER_MONTH } from "../config/budget";
import type { StackFacts } from "./facts";
import { PRICES, priceBounds, type Price } from "./prices";

/** A monthly amount in whole cents, `[low, high]`; equal bounds unless something scales or a price is a range. */
export type Cents = [number, number];

/** One priced resource, or an account-level fee. */
export interface CostLine {
  resource: string;
  /** Plan and quantities, e.g. `standard ×2–4` or `basic_1gb + 15 GB`. */
  plan: string;
  cents: Cents;
  /** A price in it is UNCONFIRMED (printed with `≈`). */
  approx: boolean;
  notes: string[];
  /** Account-level fee (`vercel:<scope>`, `cloudflare:<accountId>`): listed once per account, outside the stack total. */
  shared?: string;
}

export interface StackEstimate {
  lines: CostLine[];
  shared: CostLine[];
  total: { cents: Cents; approx: boolean };
}

/** A price table entry missing for a plan: the caller reports it against the config key. */
export class UnpricedPlanError extends Error {}

function cents(p: Price): Cents {
  const [low, high] = priceBounds(p);
  return [Math.round(low * 100), Math.round(high * 100)];
}

function lookup(table: Record<string, Price>, plan: string, what: string): Price {
  const p = Object.hasOwn(table, plan) ? table[plan] : undefined;
  if (!p) throw new UnpricedPlanError(`${what} plan '${plan}' has no price in cost/prices.ts`);
  return p;
}

const range = (n: [number, number]) => (n[0] === n[1] ? `${n[0]}` : `${n[0]}–${n[1]}`);

/** The monthly estimate of one stack, each resource priced from the inputs it is registered with. */
export function estimateStack(f: StackFacts): StackEstimate {
  const lines: CostLine[] = [];
  for (const s of f.services) {
    const price = lookup(PRICES.render.webService, s.plan, "Render web service");
    const [low, high] = cents(price);
    let c: Cents = [low * s.instances[0], high * s.instances[1]];
    const notes: string[] = [];
    if (s.branch) notes.push(`branch service '${s.branch}'`);
    if (s.instances[0] !== s.instances[1]) notes.push(`autoscaling ${range(s.instances)} instances`);
    let approx = !price.confirmed;
    let plan = `${s.plan} ×${range(s.instances)}`;
    if (s.diskGB) {
      const disk = cents(PRICES.render.disk)[0] * s.diskGB;
      c = [c[0] + disk, c[1] + disk];
      plan += ` + ${s.diskGB} GB disk`;
      approx ||= !PRICES.render.disk.confirmed;
    }
    if (s.plan === "free") {
      notes.push(
        s.keptAwake
          ? `kept awake by the keep-alive cron: ${HOURS_PER_MONTH} h of the workspace's ${PRICES.limits.renderFreeInstanceHours.value} free hours`
          : `sleeps after 15 min idle: assumed ${f.budget.freeServiceHours} h of the workspace's ${PRICES.limits.renderFreeInstanceHours.value} free hours`,
      );
    }
    lines.push({ resource: s.name, plan, cents: c, approx, notes });
  }
  if (f.postgres) {
    const pg = f.postgres;
    const price = lookup(PRICES.render.postgres, pg.plan, "Render Postgres");
    const notes: string[] = [];
    let c = cents(price);
    let approx = !price.confirmed;
    let plan = pg.plan;
    if (pg.plan === "free") {
      const days = PRICES.limits.renderFreePostgresDays;
      notes.push(`${PRICES.limits.renderFreePostgresStorageGB.value} GB included; expires: ${days.note}`);
    } else {
      // Storage is billed apart from the instance; unset, it is the plan family's default size.
      const family = pg.plan.split("_")[0]!;
      const fallback = PRICES.limits.renderPostgresDefaultDiskGB[family];
      const gb = pg.diskSizeGB ?? fallback?.value ?? 1;
      const storage = cents(PRICES.render.postgresStorage)[0] * gb;
      c = [c[0] + storage, c[1] + storage];
      approx ||= !PRICES.render.postgresStorage.confirmed;
      plan += ` + ${gb} GB`;
      if (pg.diskSizeGB === undefined) {
        approx ||= !fallback;
        notes.push(
          fallback
            ? `disk size not set: Render's default for ${family} plans, ${gb} GB (${fallback.source})`
            : "disk size not set and no default known for this plan: priced at the 1 GB minimum; set database.render.diskSizeGB",
        );
      }
    }
    lines.push({ resource: pg.name, plan, cents: c, approx, notes });
  }
  if (f.supabase) {
    const sb = f.supabase;
    const usd = (COMPUTE_MONTHLY[sb.instanceSize] ?? 0) + (sb.ipv4 ? IPV4_MONTHLY : 0);
    const notes = [
      ...(sb.plan === "free" ? [`free plan: paused after ${FREE_PAUSE_AFTER_DAYS} days without activity, at most ${FREE_ACTIVE_PROJECTS} active free projects per organization`] : []),
      ...(sb.ipv4 ? [`IPv4 add-on $${IPV4_MONTHLY}/month`] : []),
      "≈: compute from Supabase's billing add-ons (2026-05); usage beyond the plan's quotas is billed on use",
    ];
    lines.push({ resource: sb.name, plan: `Supabase ${sb.instanceSize}${sb.ipv4 ? " + IPv4" : ""}`, cents: [usd * 100, usd * 100], approx: true, notes });
  }
  if (f.keyValue) {
    const kv = f.keyValue;
    const price = lookup(PRICES.render.keyValue, kv.plan, "Render Key Value");
    const notes = kv.plan === "free" ? [`${PRICES.limits.renderFreeKeyValueMB.value} MB, no persistence: a restart or a plan change empties it`] : [];
    lines.push({ resource: kv.name, plan: kv.plan, cents: cents(price), approx: !price.confirmed, notes });
  }
  if (f.bucket) {
    const r2 = PRICES.cloudflare;
    lines.push({
      resource: f.bucket.name,
      plan: "R2, billed on use",
      cents: [0, 0],
      approx: false,
      notes: [
        `$${r2.r2Storage.usd}/GB-month stored, $${r2.r2ClassA.usd}/M writes, $${r2.r2ClassB.usd}/M reads beyond the account's free ` +
          "10 GB-month, 1 M writes and 10 M reads; egress free",
      ],
    });
  }

  const shared: CostLine[] = [];
  if (f.services.length > 0 || f.postgres || f.keyValue) {
    const plan = f.renderWorkspacePlan;
    const price = lookup(PRICES.render.workspace, plan, "Render workspace");
    shared.push({
      resource: `Render workspace ${f.renderOwnerId}`,
      plan: plan,
      cents: cents(price),
      approx: !price.confirmed,
      notes: [plan === "hobby" ? "no team members and no autoscaling" : "once per workspace, whatever the stacks in it"],
      shared: `render:${f.renderOwnerId}`,
    });
  }
  if (f.vercel) {
    const price = lookup(PRICES.vercel.plan, f.vercel.plan, "Vercel");
    shared.push({
      resource: `Vercel team '${f.vercel.scope}'`,
      plan: f.vercel.plan,
      cents: cents(price),
      approx: !price.confirmed,
      notes: [f.vercel.plan === "pro" ? "1 deploying seat included, $20/month each more" : "non-commercial, personal use only"],
      shared: `vercel:${f.vercel.scope}`,
    });
  }
  if (f.netlify) {
    const n = PRICES.netlify;
    const price = lookup(n.plan, f.netlify.plan, "Netlify");
    const credits = n.credits[f.netlify.plan];
    shared.push({
      resource: `Netlify team '${f.netlify.scope}'`,
      plan: f.netlify.plan,
      cents: cents(price),
      approx: !price.confirmed,
      notes: [
        credits
          ? `${credits} credits a month; a production deploy costs ${n.productionDeployCredits} (≈${Math.floor(credits / n.productionDeployCredits)} deploys if nothing else is used)`
          : "legacy plan: 300 build minutes and 100 GB a month",
      ],
      shared: `netlify:${f.netlify.scope}`,
    });
  }
  if (f.supabase) {
    const usd = ORG_PLAN_MONTHLY[f.supabase.plan] ?? 0;
    shared.push({
      resource: `Supabase organization '${f.supabase.organization}'`,
      plan: f.supabase.plan,
      cents: [usd * 100, usd * 100],
      approx: true,
      notes: [f.supabase.plan === "free" ? "no charge; free-plan limits apply" : `billed once per organization; includes $${PAID_COMPUTE_CREDIT} compute credits (one Micro)`],
      shared: `supabase:${f.supabase.organization}`,
    });
  }
  if (f.workers) {
    const price = lookup(PRICES.cloudflare.workers, f.workers.plan, "Cloudflare Workers");
    const limit = workersTriggerLimit(f.workers.plan);
    shared.push({
      resource: `Cloudflare account ${f.workers.accountId.slice(0, 8)}…`,
      plan: `Workers ${f.workers.plan}`,
      cents: cents(price),
      approx: !price.confirmed,
      notes: [
        f.workers.triggers === 0
          ? `${f.workers.scriptName}: schedules off, no cron trigger in use (the account allows ${limit})`
          : `${f.workers.scriptName}: ${f.workers.triggers} cron trigger${f.workers.triggers === 1 ? "" : "s"} of the account's ${limit}`,
      ],
      shared: `cloudflare:${f.workers.accountId}`,
    });
  }
  return { lines, shared, total: sumLines(lines) };
}

export function workersTriggerLimit(plan: string): number {
  return (plan === "paid" ? PRICES.limits.cloudflareCronTriggersPaid : PRICES.limits.cloudflareCronTriggersFree).value;
}

export function sumLines(lines: readonly Pick<CostLine, "cents" | "approx">[], times = 1): { cents: Cents; approx: boolean } {
  return {
    cents: [lines.reduce((s, l) => s + l.cents[0], 0) * times, lines.reduce((s, l) => s + l.cents[1], 0) * times],
    approx: lines.some((l) => l.approx && l.cents[1] > 0),
  };
}

/** `$7.00`, `≈$7.00`, `≈$50.00–$100.00`. */
export function formatUsd(c: Cents, approx: boolean): string {
  const one = (n: number) => `${n < 0 ? "-" : ""}$${(Math.abs(n) / 100).toFixed(2)}`;
  return (approx ? "≈" : "") + (c[0] === c[1] ? one(c[0]) : `${one(c[0])}–${one(c[1])}`);
}

/** The three most expensive resources, by upper bound, for the budget message. */
export function mostExpensive(e: StackEstimate, n = 3): CostLine[] {
  return [...e.lines].sort((a, b) => b.cents[1] - a.cents[1] || a.resource.localeCompare(b.resource)).slice(0, n);
}
