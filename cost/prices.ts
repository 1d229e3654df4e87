/**
 * The price table: every figure the cost estimate uses, as data, each with its source and the
 * date it was read. `confirmed: false` marks a price no first-party source confirmed (the
 * reference says UNCONFIRMED); the output prints it with `≈`. A price whose sources disagree is
 * a `[low, high]` range. Refresh the table by `reviewBy` (a test fails after that date): re-read
 * each source, update `read`, and move `reviewBy` on.
 *
 * Starting point: ../shared/reference/render-day2.md §4 and vercel-cloudflare-day2.md §2, §3, §4.
 */

export interface Price {
  /** USD per `per`; a `[low, high]` range where the sources disagree. */
  usd: number | readonly [number, number];
  per: "month" | "GB-month" | "million requests" | "million operations";
  source: string;
  /** ISO date the source was read. */
  read: string;
  /** false: no first-party source confirms it (UNCONFIRMED), printed with `≈`. */
  confirmed: boolean;
}

/** A limit of a free or paid plan, with its source. */
export interface Limit {
  value: number;
  unit: string;
  source: string;
  read: string;
  confirmed: boolean;
  note?: string;
}

const READ = "2026-12-01";
const RENDER_PLANS =
  "third-party copies that agree: repo api-evangelist/render plans/render-plans-pricing.yml (generated 2026-05-04, " +
  "'not harvested from the provider') and repo luketurner/paas-price-estimator src/providers/render.ts (2022-09-26); " +
  "via render-day2.md §4";
const RENDER_2022 = "repo luketurner/paas-price-estimator src/providers/render.ts (2022-09-26) only; via render-day2.md §4";
const RENDER_PG =
  "third-party: a cost note of 2026-02-08 (render-day2.md §4) and code-search hits in third-party Render dashboards " +
  "(repositories not identified)";
const RENDER_FREE = "https://render.com/docs/free ('at no charge')";
const RENDER_PG_4GB =
  "third-party copies of Render's price page (repo api-evangelist/render plans/render-plans-pricing.yml, 2026-05-04; " +
  "issue 21 review) give $75; the earlier $45 had one source only";
const RENDER_KV =
  "third-party figures: $10 in the sources found (issue 21 review); the $7 once listed here had no source; via render-day2.md §1";
const RENDER_WORKSPACES =
  "third-party (recurdash.com/guides/how-to-cancel-render) for the plans of 2026-04-23 (render.com/docs/organizations): " +
  "Hobby $0, Pro $25/month, Scale $499/month; via render-day2.md §4";
const RENDER_BLUEPRINT = "render-oss/skills render-deploy/references/blueprint-spec.md (Postgres diskSizeGB defaults), via issue 21";
const VERCEL_PRO = "https://vercel.com/docs/plans/pro-plan";
const VERCEL_HOBBY = "https://vercel.com/docs/plans/hobby";
const NETLIFY_CREDITS = "https://docs.netlify.com/manage/accounts-and-billing/billing/billing-for-credit-based-plans/how-credits-work";
const NETLIFY_2026 = "https://www.netlify.com/changelog/2026-04-14-pricing-updates-april-2026/ (Pro $20/month flat, 3,000 credits)";
const NETLIFY_LEGACY = "https://outbound-emails.netlify.com/approaching-extra-usage (legacy Starter and Pro); Pro's $19/member unconfirmed";
const CF_WORKERS = "https://developers.cloudflare.com/workers/platform/pricing";
const CF_LIMITS = "https://developers.cloudflare.com/workers/platform/limits";
const CF_R2 = "https://developers.cloudflare.com/r2/pricing";

const month = (usd: Price["usd"], source: string, confirmed: boolean): Price => ({ usd, per: "month", source, read: READ, confirmed });

export const PRICES = {
  /** After this date the table counts as stale and `npm test` fails until it is reviewed. */
  reviewBy: "2027-03-01",
  render: {
    /** Web service instance types, per instance per month (`backend.plan`). */
    webService: {
      free: month(0, RENDER_FREE, true),
      starter: month(7, RENDER_PLANS, false),
      starter_plus: month(15, RENDER_2022, false),
      standard: month(25, RENDER_PLANS, false),
      standard_plus: month(50, RENDER_2022, false),
      pro: month(85, RENDER_PLANS, false),
      pro_plus: month(175, RENDER_PLANS, false),
      pro_max: month(225, RENDER_PLANS, false),
      pro_ultra: month(450, RENDER_PLANS, false),
    } as Record<string, Price>,
    /**
     * Postgres instance types (`database.render.plan`). Only plans with a written price are here;
     * any other plan is refused by validation rather than priced at $0.
     */
    postgres: {
      free: month(0, RENDER_FREE, true),
      basic_256mb: month(6, RENDER_PG, false),
      basic_1gb: month(19, RENDER_PG, false),
      basic_4gb: month(75, RENDER_PG_4GB, false),
    } as Record<string, Price>,
    /**
     * Render workspace plans (`app.renderWorkspacePlan`), billed once per workspace whatever the
     * stacks in it. Autoscaling and team members need a paid one (render-api.md; docs.render.com/team-members).
     */
    workspace: {
      hobby: month(0, RENDER_WORKSPACES, false),
      pro: month(25, RENDER_WORKSPACES, false),
      scale: month(499, RENDER_WORKSPACES, false),
    } as Record<string, Price>,
    /** Postgres storage, billed on the provisioned size apart from the instance. */
    postgresStorage: { usd: 0.3, per: "GB-month", source: "third-party cost note of 2026-02-08, via render-day2.md §4", read: READ, confirmed: false } as Price,
    /** Persistent disk of a paid service, billed on the provisioned size. */
    disk: { usd: 0.25, per: "GB-month", source: RENDER_2022, read: READ, confirmed: false } as Price,
    /** Key Value instance types (`cache.plan`). */
    keyValue: {
      free: month(0, RENDER_FREE, true),
      starter: month(10, RENDER_KV, false),
    } as Record<string, Price>,
  },
  vercel: {
    /** Per team or account (`frontend.scope`), not per project. */
    plan: {
      hobby: month(0, VERCEL_HOBBY, true),
      pro: month(20, `${VERCEL_PRO} ('$20/month Pro platform fee — 1 deploying team seat included')`, true),
    } as Record<string, Price>,
    /** Each deploying (Owner or Member) seat beyond the one Pro includes; Viewer seats are free. */
    seat: month(20, VERCEL_PRO, true),
  },
  netlify: {
    /**
     * Per team (`frontend.scope`), not per site (netlify-api.md §8, as dated there): the credit plans
     * of 2025-09 (Free, Personal), Pro as repriced 2026-04-14, and `starter`, the legacy free plan.
     */
    plan: {
      free: month(0, `${NETLIFY_CREDITS} (300 credits a month, a hard limit)`, true),
      personal: month(9, `${NETLIFY_CREDITS} (1,000 credits a month; 2025-09 changelog copy)`, false),
      pro: month(20, NETLIFY_2026, true),
      starter: month(0, `${NETLIFY_LEGACY} (100 GB bandwidth, 300 build minutes a month)`, false),
    } as Record<string, Price>,
    /** Credits each plan includes a month; a production deploy costs 15 (Free/Personal/Pro). */
    credits: { free: 300, personal: 1000, pro: 3000 } as Record<string, number>,
    productionDeployCredits: 15,
  },
  cloudflare: {
    /** Per account (`cron.accountId`). Paid is a $5 minimum per account with 10 M requests included. */
    workers: {
      free: month(0, CF_WORKERS, true),
      paid: month(5, `${CF_WORKERS} ('minimum charge of $5 USD per month for an account')`, true),
    } as Record<string, Price>,
    workersRequests: { usd: 0.3, per: "million requests", source: `${CF_WORKERS} (beyond 10 M a month on Paid)`, read: READ, confirmed: true } as Price,
    r2Storage: { usd: 0.015, per: "GB-month", source: `${CF_R2} (Standard; 10 GB-month free)`, read: READ, confirmed: true } as Price,
    r2ClassA: { usd: 4.5, per: "million operations", source: `${CF_R2} (1 M a month free)`, read: READ, confirmed: true } as Price,
    r2ClassB: { usd: 0.36, per: "million operations", source: `${CF_R2} (10 M a month free)`, read: READ, confirmed: true } as Price,
  },
  limits: {
    renderFreeInstanceHours: {
      value: 750,
      unit: "instance-hours a month per workspace, shared by its free web services",
      source: `${RENDER_FREE}: when spent, every free service in the workspace is suspended until the 1st`,
      read: READ,
      confirmed: true,
    } as Limit,
    renderFreePostgresDays: {
      value: 30,
      unit: "days until a free Postgres expires",
      source: "kuberns.com/blogs/render-postgres-pricing-setup-limits (2026-04-29, third-party); render.com/docs/free (older copy) says 90 days plus 14 days' grace",
      read: READ,
      confirmed: false,
      note: "30 days (2026, third-party) or 90 days plus 14 days' grace (older Render docs)",
    } as Limit,
    renderFreePostgresStorageGB: { value: 1, unit: "GB of storage on a free Postgres", source: "render-oss/skills blueprint-spec.md, via render-day2.md §4", read: READ, confirmed: true } as Limit,
    /** Storage a Postgres gets when `diskSizeGB` is not set, by plan family (the plan name's first part). */
    renderPostgresDefaultDiskGB: {
      free: { value: 1, unit: "GB", source: RENDER_BLUEPRINT, read: READ, confirmed: true },
      basic: { value: 15, unit: "GB", source: RENDER_BLUEPRINT, read: READ, confirmed: true },
      pro: { value: 100, unit: "GB", source: RENDER_BLUEPRINT, read: READ, confirmed: true },
      accelerated: { value: 250, unit: "GB", source: RENDER_BLUEPRINT, read: READ, confirmed: true },
    } as Record<string, Limit>,
    /** Sizes Render takes for Postgres storage: 1, or a multiple of 5. */
    renderPostgresDiskStepGB: { value: 5, unit: "GB", source: "render-oss/skills service-mapping.md, via render-day2.md §4 ('1 GB or multiples of 5 GB')", read: READ, confirmed: true } as Limit,
    /** Free instances of each kind a workspace may hold. */
    renderFreePostgresPerWorkspace: { value: 1, unit: "free Postgres per workspace", source: RENDER_FREE, read: READ, confirmed: false } as Limit,
    renderFreeKeyValuePerWorkspace: { value: 1, unit: "free Key Value per workspace", source: RENDER_FREE, read: READ, confirmed: false } as Limit,
    /** `POST /v1/services` quota (api-docs.render.com/reference/rate-limiting, via render-api.md). */
    renderServiceCreatesPerHour: {
      value: 20,
      unit: "service creates an hour per workspace",
      source: "https://api-docs.render.com/reference/rate-limiting (recorded Ratelimit-Limit: 20), via render-api.md",
      read: READ,
      confirmed: true,
    } as Limit,
    renderFreeKeyValueMB: {
      value: 25,
      unit: "MB of memory on a free Key Value, without persistence",
      source: "render-oss/skills render-migrate-from-heroku/references/service-mapping.md and render-keyvalue/SKILL.md, via render-day2.md §1",
      read: READ,
      confirmed: true,
    } as Limit,
    cloudflareCronTriggersFree: {
      value: 5,
      unit: "cron triggers per account on Workers Free",
      source: `${CF_LIMITS}; the cron-triggers page says per Worker (cloudflare-docs issue #29326)`,
      read: READ,
      confirmed: true,
      note: "per account on the limits page, per Worker on the cron page: each Worker is held to 5 by validation, and the account total is checked here",
    } as Limit,
    cloudflareCronTriggersPaid: { value: 250, unit: "cron triggers per account on Workers Paid", source: CF_LIMITS, read: READ, confirmed: true } as Limit,
  },
} as const;

/** `[low, high]` of a price. */
export function priceBounds(p: Price): readonly [number, number] {
  return typeof p.usd === "number" ? [p.usd, p.usd] : p.usd;
}

/** Every price and limit in the table with its path, e.g. `render.webService.starter`. */
export function allEntries(): { path: string; entry: Price | Limit }[] {
  const out: { path: string; entry: Price | Limit }[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (node && typeof node === "object" && "source" in node) out.push({ path: path.join("."), entry: node as Price | Limit });
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(PRICES, []);
  return out;
}

/**
 * Whether the table is past its review date: an error message, or undefined while it is fresh.
 * `today` is injectable for the test of this check only.
 */
export function staleTableMessage(today: Date = new Date()): string | undefined {
  const day = today.toISOString().slice(0, 10);
  if (day <= PRICES.reviewBy) return undefined;
  return (
    `cost/prices.ts was due for review on ${PRICES.reviewBy} (today is ${day}): re-read each source, update the prices ` +
    "and their 'read' dates, and move 'reviewBy' on"
  );
}
