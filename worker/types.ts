/** One call the Worker makes when its schedule fires. */
export interface JobSpec {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Appended to TARGET_URL, e.g. `/internal/cron/expire-tickets`. */
  path: string;
}

/** The JOBS binding: cron expression (exactly as registered) -> the jobs it runs. */
export type JobsByCron = Record<string, JobSpec[]>;

/** How long and how often one job may try. All in milliseconds. */
export interface RetryPolicy {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Total time one job may spend, attempts and waits included. */
  budgetMs: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs: number;
  /** Cap on one backoff delay (also on a server's Retry-After). */
  maxDelayMs: number;
  maxAttempts: number;
}

/** Bindings of the Worker script (see components/cron-trigger.ts). */
export interface Env {
  JOBS: JobsByCron;
  TARGET_URL: string;
  CRON_SECRET: string;
  /** Optional JSON binding overriding parts of the default RetryPolicy. */
  RETRY_POLICY?: Partial<RetryPolicy>;
  /** Slack or Discord incoming-webhook URL that gets alerts (secret_text, optional). */
  NOTIFY_WEBHOOK_URL?: string;
  /** Workers KV namespace remembering failure streaks, so each alert goes out once. */
  STATE?: KvStore;
  /** How alerts name the stack, e.g. `ott prod`. */
  STACK_LABEL?: string;
}

/** The subset of a Workers KV namespace binding the alerts use. */
export interface KvStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The subset of workerd's ScheduledController the Worker reads. */
export interface ScheduledController {
  cron: string;
  scheduledTime: number;
}

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
