import { Cron } from "croner";

/**
 * Cloudflare's cron rules, shared by the CronTrigger component and `config/cron.ts`.
 *
 * Cloudflare parses cron with its own crate (saffron): exactly 5 fields, UTC, day of week
 * 1-7 = SUN-SAT (so `1` is Sunday, unlike standard cron), no `?`, no `@daily`-style macros, no
 * seconds. croner in `5-part` mode with `alternativeWeekdays` numbers weekdays the same way.
 */
export const CRONER_OPTIONS = { mode: "5-part", alternativeWeekdays: true, timezone: "UTC", paused: true } as const;

/**
 * Cron triggers one Worker may hold. Cloudflare's limits page counts cron triggers per account:
 * 5 on Workers Free, 250 on Workers Paid. We allow 5 per Worker, the number every plan accepts
 * (on Free it is the whole account's allowance); jobs beyond that can share a schedule.
 */
export const MAX_SCHEDULES = 5;

/** Schedule of the keep-alive ping: Render's free plan sleeps after 15 minutes idle. */
export const KEEP_ALIVE_SCHEDULE = "*/10 * * * *";
export const KEEP_ALIVE_JOB = "keep-alive";

/** HTTP method of a job's call (an object, not a union, for the multi-language schema). */
export const JobMethod = { GET: "GET", POST: "POST", PUT: "PUT", PATCH: "PATCH", DELETE: "DELETE" } as const;
export type JobMethod = (typeof JobMethod)[keyof typeof JobMethod];
export const JOB_METHODS: readonly JobMethod[] = Object.values(JobMethod);

/** Job names become idempotency-key prefixes and log fields: keep them slug-like. */
export const JOB_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A path appended to the target URL (no query string, no fragment). */
export const JOB_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export interface CronCheck {
  /** Single-spaced, trimmed: the form registered with Cloudflare and used as the JOBS key. */
  normalized: string;
  error?: string;
  warning?: string;
}

/** Collapses whitespace, so `"*\/5  * * * *"` and `"*\/5 * * * *"` are one schedule. */
export function normalizeCron(expr: string): string {
  return expr.trim().replace(/\s+/g, " ");
}

/** The day-of-week field with numeric weekdays replaced by names, as Cloudflare reads them. */
function weekdayNames(field: string): string {
  return field
    .split(",")
    .map((part) => {
      const [range, step] = part.split("/");
      const named = range!.replace(/^(\d+)(?=-|#|L|$)|(?<=-)(\d+)/g, (n) => DAY_NAMES[Number(n) - 1] ?? n);
      return step === undefined ? named : `${named}/${step}`;
    })
    .join(",");
}

/** Checks one expression against Cloudflare's rules. */
export function checkCron(expr: string): CronCheck {
  const normalized = normalizeCron(expr);
  if (normalized === "") return { normalized, error: "expected a cron expression such as '*/5 * * * *'" };
  if (normalized.startsWith("@")) {
    return { normalized, error: `'${normalized}': Cloudflare does not accept macros; write the 5 fields, e.g. '0 0 * * *' for @daily` };
  }
  if (normalized.includes("?")) return { normalized, error: `'${normalized}': Cloudflare does not accept '?'; use '*'` };
  const fields = normalized.split(" ");
  if (fields.length !== 5) {
    const hint = fields.length === 6 ? "; Cloudflare has no seconds field" : "";
    return { normalized, error: `'${normalized}': expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}${hint}` };
  }
  const [, , dom, , dow] = fields as [string, string, string, string, string];
  if (/(^|[,\-])0(?=$|[,\-#L/])/.test(dow.split("/")[0]!.replace(/^\*/, ""))) {
    return { normalized, error: `'${normalized}': day of week 0 is not valid on Cloudflare (1 = SUN ... 7 = SAT); write SUN` };
  }
  // Cloudflare accepts "L-n" / "L-nW" (n days before the last); croner does not, so check n here.
  let forCroner = normalized;
  const lastMinus = /^L-(\d+)W?$/.exec(dom);
  if (lastMinus) {
    if (Number(lastMinus[1]) < 1 || Number(lastMinus[1]) > 30) return { normalized, error: `'${normalized}': 'L-n' needs 1 <= n <= 30` };
    forCroner = fields.map((f, i) => (i === 2 ? "L" : f)).join(" ");
  }
  let cron: Cron;
  try {
    cron = new Cron(forCroner, { ...CRONER_OPTIONS });
  } catch (err) {
    return { normalized, error: `'${normalized}': ${String((err as Error).message).replace(/^CronPattern: /, "")}` };
  }
  if (cron.nextRun(new Date("2026-01-01T00:00:00Z")) === null) {
    return { normalized, error: `'${normalized}': never fires (no such date)` };
  }
  if (/\d/.test(dow.split("/")[0]!.replace(/#\d+/g, ""))) {
    const named = weekdayNames(dow);
    return {
      normalized,
      warning:
        `'${normalized}': on Cloudflare day of week '${dow}' means ${named} (1 = Sunday, unlike standard cron); ` +
        `write names instead, e.g. '${named}', or 'MON-FRI' for weekdays`,
    };
  }
  return { normalized };
}

/** The next time a valid Cloudflare schedule fires after `after` (UTC), or undefined when it cannot be read. */
export function nextCronRun(expr: string, after: Date): Date | undefined {
  const { normalized, error } = checkCron(expr);
  if (error) return undefined;
  // croner has no "L-n" (n days before the last): no guess rather than a wrong time.
  if (/^L-\d+W?$/.test(normalized.split(" ")[2] ?? "")) return undefined;
  return new Cron(normalized, { ...CRONER_OPTIONS }).nextRun(after) ?? undefined;
}

export interface CronJobInput {
  name: string;
  schedule: string;
  path: string;
  method?: string;
}

export interface ScheduleIssue {
  /** Relative to the jobs' owner, e.g. `["jobs", 1, "schedule"]`. */
  path: (string | number)[];
  message: string;
}

export interface JobsCheck {
  errors: ScheduleIssue[];
  warnings: ScheduleIssue[];
  /** The distinct normalized schedules, in first-seen order (keep-alive included). */
  schedules: string[];
}

/**
 * Checks a job list as the Worker will run it: each schedule, unique names and paths, valid
 * methods, the keep-alive job, and the limit on schedules per Worker.
 */
export function checkJobs(
  jobs: readonly CronJobInput[],
  opts: { keepAlive?: boolean; healthCheckPath?: string } = {},
): JobsCheck {
  const errors: ScheduleIssue[] = [];
  const warnings: ScheduleIssue[] = [];
  const schedules: string[] = [];
  const names = new Map<string, number>();
  const paths = new Map<string, number>();
  jobs.forEach((job, i) => {
    if (typeof job.name !== "string" || !JOB_NAME.test(job.name)) {
      errors.push({ path: ["jobs", i, "name"], message: "expected a lowercase job name such as 'expire-tickets'" });
    } else if (names.has(job.name)) {
      errors.push({ path: ["jobs", i, "name"], message: `'${job.name}' is already the name of jobs[${names.get(job.name)}]` });
    } else if (opts.keepAlive && job.name === KEEP_ALIVE_JOB) {
      errors.push({ path: ["jobs", i, "name"], message: `'${KEEP_ALIVE_JOB}' is reserved for the keep-alive ping` });
    } else names.set(job.name, i);

    if (typeof job.path !== "string" || !JOB_PATH.test(job.path)) {
      errors.push({ path: ["jobs", i, "path"], message: "expected a path starting with '/'" });
    } else if (paths.has(job.path)) {
      errors.push({ path: ["jobs", i, "path"], message: `'${job.path}' is already the path of jobs[${paths.get(job.path)}]` });
    } else paths.set(job.path, i);

    if (job.method !== undefined && !(JOB_METHODS as readonly string[]).includes(job.method)) {
      errors.push({ path: ["jobs", i, "method"], message: `expected ${JOB_METHODS.map((m) => `'${m}'`).join(" | ")}` });
    }

    const check = checkCron(typeof job.schedule === "string" ? job.schedule : "");
    if (check.error) errors.push({ path: ["jobs", i, "schedule"], message: check.error });
    else {
      if (check.warning) warnings.push({ path: ["jobs", i, "schedule"], message: check.warning });
      if (!schedules.includes(check.normalized)) schedules.push(check.normalized);
    }
  });
  if (opts.keepAlive) {
    const health = opts.healthCheckPath ?? "/";
    if (!JOB_PATH.test(health)) errors.push({ path: ["healthCheckPath"], message: "expected a path starting with '/'" });
    if (!schedules.includes(KEEP_ALIVE_SCHEDULE)) schedules.push(KEEP_ALIVE_SCHEDULE);
  }
  if (schedules.length > MAX_SCHEDULES) {
    errors.push({
      path: ["jobs"],
      message:
        `${schedules.length} distinct schedules${opts.keepAlive ? " (keep-alive included)" : ""}, but a Worker gets at most ` +
        `${MAX_SCHEDULES} cron triggers (Cloudflare: 5 per account on Workers Free); let jobs share a schedule`,
    });
  }
  return { errors, warnings, schedules };
}

/** Render's free web services sleep after this many idle minutes. */
export const RENDER_IDLE_SLEEP_MINUTES = 15;

/**
 * Whether a schedule fires at least every `minutes` all week long (UTC), so each run reaches the
 * target before it falls asleep: `*\/5` and `*\/15` do; `0 * * * *` and `*\/5 9-17 * * MON-FRI` do not.
 */
export function firesAtLeastEvery(expr: string, minutes: number = RENDER_IDLE_SLEEP_MINUTES): boolean {
  const key = `${minutes} ${expr}`;
  let answer = firing.get(key);
  if (answer === undefined) {
    // Walking a week of `*/5` takes about 15 ms, and every cost estimate asks again for each stack.
    if (firing.size >= 1000) firing.clear();
    answer = walkFiresAtLeastEvery(expr, minutes);
    firing.set(key, answer);
  }
  return answer;
}
const firing = new Map<string, boolean>();

function walkFiresAtLeastEvery(expr: string, minutes: number): boolean {
  if (checkCron(expr).error) return false;
  const normalized = normalizeCron(expr);
  const cron = new Cron(normalized, CRONER_OPTIONS);
  // One day tells for a schedule that names no day, month or weekday; a week from a Monday otherwise.
  const days = normalized.split(" ").slice(2).every((f) => f === "*") ? 1 : 7;
  const start = new Date(Date.UTC(2026, 0, 5));
  const end = start.getTime() + days * 24 * 60 * 60_000;
  let prev = start.getTime() - 60_000;
  let next = cron.nextRun(new Date(prev));
  if (!next || next.getTime() - start.getTime() > minutes * 60_000) return false;
  while (next && next.getTime() <= end) {
    if (next.getTime() - prev > minutes * 60_000 && prev >= start.getTime()) return false;
    prev = next.getTime();
    next = cron.nextRun(next);
  }
  return !!next && next.getTime() - prev <= minutes * 60_000;
}
