import { cloudflare, type WorkersCronTriggerArgs, type WorkersKvNamespaceArgs, type WorkersScriptArgs, type WorkersScriptBinding, type WorkersScriptSubdomainArgs } from "./cloudflare-resources";
import * as pulumi from "@pulumi/pulumi";
import { random, type RandomPasswordArgs } from "./random-resources";
import { bundleWorker, COMPATIBILITY_DATE, MAIN_MODULE } from "../worker/bundle";
import type { JobSpec, JobsByCron, RetryPolicy } from "../worker/types";
import { checkJobs, KEEP_ALIVE_JOB, KEEP_ALIVE_SCHEDULE, normalizeCron, type JobMethod } from "./cron-schedule";
import { NAME_RULES, nameProblem } from "../providers/names";
import { applyTransform, type ResourceTransform } from "./transform";

export { COMPATIBILITY_DATE, MAIN_MODULE };

/** One scheduled call to the backend. */
export interface CronTriggerJob {
  /** Unique, lowercase; prefixes the Idempotency-Key (`<name>:<scheduled ISO time>`). */
  name: string;
  /**
   * Cloudflare cron expression, UTC, 5 fields. Weekdays are 1-7 = SUN-SAT (not standard cron):
   * write names.
   * @example "0 9 * * MON-FRI"
   */
  schedule: string;
  /**
   * Path appended to `targetUrl`.
   * @example "/internal/cron/expire-tickets"
   */
  path: string;
  /** HTTP method; POST (with a JSON body) by default. */
  method?: JobMethod;
}

export interface CronTriggerArgs {
  /** Cloudflare account that runs the Worker. */
  accountId: pulumi.Input<string>;
  /**
   * Worker script name, unique in the account; defaults to `<project>-<stack>-<name>`.
   * @example "ott-dev-cron"
   */
  scriptName?: string;
  /**
   * Base URL the jobs call, usually the WebService URL.
   * @example "https://api.ott.example.com"
   */
  targetUrl: pulumi.Input<string>;
  /** The jobs; several may share a schedule. Plain values: they are checked before anything is created. */
  jobs: CronTriggerJob[];
  /** Sent as `Authorization: Bearer <secret>`; a 48-character random password when omitted. */
  secret?: pulumi.Input<string>;
  /**
   * Register the schedules. When false the Worker is still deployed but its trigger holds no
   * schedule, so nothing runs (pull-request stacks). Default true.
   */
  enabled?: boolean;
  /** Add a GET of `healthCheckPath` every 10 minutes, to keep a free Render service awake. */
  keepAlive?: boolean;
  /** Path the keep-alive job GETs. Default "/". @example "/healthz" */
  healthCheckPath?: string;
  /** Per-attempt timeout of a call, in seconds. Default 30. */
  timeoutSeconds?: number;
  /** Time one job may spend on attempts and backoff, in seconds. Default 120. */
  budgetSeconds?: number;
  /**
   * Slack or Discord incoming-webhook URL (a secret) that gets an alert when a job finally fails
   * and when the keep-alive check fails 3 times in a row. Adds a Workers KV namespace that
   * remembers failure streaks, so each alert goes out once. @example loaded.secret("NOTIFY_WEBHOOK_URL")
   */
  notifyWebhookUrl?: pulumi.Input<string>;
  /** How alerts name the stack. @example "ott prod" */
  label?: string;
}

export interface CronTriggerOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    script?: ResourceTransform<WorkersScriptArgs>;
    trigger?: ResourceTransform<WorkersCronTriggerArgs>;
    secret?: ResourceTransform<RandomPasswordArgs>;
    /** The KV namespace holding alert state (only with notifyWebhookUrl). */
    state?: ResourceTransform<WorkersKvNamespaceArgs>;
    /** The workers.dev route that serves `POST /run/<job>`. */
    subdomain?: ResourceTransform<WorkersScriptSubdomainArgs>;
  };
}


/** `jobs[1].schedule` from `["jobs", 1, "schedule"]`. */
const argKey = (path: (string | number)[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").slice(1);

/** What the component deploys, computed from plain args; throws naming the arg on bad input. */
export function planCronTrigger(name: string, args: CronTriggerArgs) {
  const fail = (key: string, message: string): never => {
    throw new pulumi.RunError(`CronTrigger '${name}': ${key}: ${message}`);
  };
  if (!Array.isArray(args.jobs)) fail("jobs", "expected a list of {name, schedule, path, method?}");
  const check = checkJobs(args.jobs, { keepAlive: args.keepAlive, healthCheckPath: args.healthCheckPath });
  if (check.errors.length > 0) {
    throw new pulumi.RunError(
      `CronTrigger '${name}': invalid args:\n` + check.errors.map((e) => `  ${argKey(e.path)}: ${e.message}`).join("\n"),
    );
  }
  const scriptName =
    args.scriptName ??
    `${pulumi.getProject()}-${pulumi.getStack()}-${name}`
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .slice(0, NAME_RULES.workerScript.max)
      .replace(/^[-_]+|[-_]+$/g, "");
  const scriptProblem = nameProblem("workerScript", scriptName);
  if (scriptProblem) fail("scriptName", `'${scriptName}' ${scriptProblem}`);
  for (const [key, value] of [["timeoutSeconds", args.timeoutSeconds], ["budgetSeconds", args.budgetSeconds]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= 900)) fail(key, "expected seconds between 0 and 900");
  }

  const jobs: JobsByCron = {};
  const add = (schedule: string, job: JobSpec) => (jobs[schedule] ??= []).push(job);
  for (const job of args.jobs) {
    add(normalizeCron(job.schedule), { name: job.name, method: job.method ?? "POST", path: job.path });
  }
  if (args.keepAlive) add(KEEP_ALIVE_SCHEDULE, { name: KEEP_ALIVE_JOB, method: "GET", path: args.healthCheckPath ?? "/" });

  const policy: Partial<RetryPolicy> = {};
  if (args.timeoutSeconds !== undefined) policy.timeoutMs = args.timeoutSeconds * 1000;
  if (args.budgetSeconds !== undefined) policy.budgetMs = args.budgetSeconds * 1000;

  return {
    scriptName,
    jobs,
    /** Every job name, keep-alive included: what `POST /run/<job>` accepts. */
    jobNames: Object.values(jobs).flat().map((j) => j.name),
    policy,
    /** Empty when disabled: the trigger stays, holding no schedule (see the class doc). */
    schedules: args.enabled === false ? [] : check.schedules,
    warnings: check.warnings.map((w) => `${argKey(w.path)}: ${w.message}`),
  };
}

/**
 * A Cloudflare Worker that calls the backend on cron schedules: each job gets
 * `Authorization: Bearer <secret>`, an `Idempotency-Key` of job name + scheduled time, and
 * retries of 5xx/network errors within a time budget (worker/). Its workers.dev route serves
 * only `POST /run/<job>` with the same bearer secret (`webstack cron run`); with
 * `notifyWebhookUrl` it alerts Slack or Discord, keeping failure streaks in Workers KV.
 *
 * `enabled: false` keeps the Worker and a `WorkersCronTrigger` with an empty schedule list rather
 * than removing the trigger: the PUT of `[]` is what clears schedules on Cloudflare (the
 * provider's delete of a trigger leaves them in place), flipping `enabled` is a one-line diff,
 * and the synth still shows what would run.
 */
export class CronTrigger extends pulumi.ComponentResource {
  /** The Worker's script name. */
  public readonly scriptName: pulumi.Output<string>;
  /** The bearer secret the backend must check (set it as its CRON_SECRET). Secret. */
  public readonly secret: pulumi.Output<string>;
  /** The registered schedules; empty when disabled. */
  public readonly schedules: pulumi.Output<string[]>;
  /** Every job name (keep-alive included), as `POST /run/<job>` takes them. */
  public readonly jobNames: pulumi.Output<string[]>;

  constructor(name: string, args: CronTriggerArgs, opts: CronTriggerOptions = {}) {
    const plan = planCronTrigger(name, args);
    const { transform, ...componentOpts } = opts;
    // The recorded inputs say what runs; the secret stays out of them.
    super(
      "webstack:index:CronTrigger",
      name,
      { accountId: args.accountId, scriptName: plan.scriptName, targetUrl: args.targetUrl, jobs: plan.jobs, schedules: plan.schedules },
      componentOpts,
    );
    for (const warning of plan.warnings) pulumi.log.warn(`CronTrigger '${name}': ${warning}`, this);

    let secret: pulumi.Input<string>;
    if (args.secret !== undefined) {
      secret = args.secret;
    } else {
      // Letters and digits only: safe in a header and in any env-var or URL context.
      const [pwArgs, pwOpts] = applyTransform(
        transform?.secret,
        { length: 48, special: false } as RandomPasswordArgs,
        { parent: this, additionalSecretOutputs: ["result"] },
      );
      secret = new random.RandomPassword(`${name}-secret`, pwArgs, pwOpts).result;
    }
    this.secret = pulumi.secret(pulumi.output(secret));

    const bindings: WorkersScriptBinding[] = [
      { type: "json", name: "JOBS", json: JSON.stringify(plan.jobs) },
      { type: "plain_text", name: "TARGET_URL", text: args.targetUrl },
      { type: "secret_text", name: "CRON_SECRET", text: this.secret },
    ];
    if (Object.keys(plan.policy).length > 0) bindings.push({ type: "json", name: "RETRY_POLICY", json: JSON.stringify(plan.policy) });
    if (args.notifyWebhookUrl !== undefined) {
      // KV rather than a Durable Object: one writer every few minutes needs no strong consistency,
      // KV is on the free plan, and a script with a Durable Object needs migrations.
      const [kvArgs, kvOpts] = applyTransform(
        transform?.state,
        { accountId: args.accountId, title: `${plan.scriptName}-state` } as WorkersKvNamespaceArgs,
        { parent: this },
      );
      const state = new cloudflare.WorkersKvNamespace(`${name}-state`, kvArgs, kvOpts);
      bindings.push(
        { type: "secret_text", name: "NOTIFY_WEBHOOK_URL", text: pulumi.secret(pulumi.output(args.notifyWebhookUrl)) },
        { type: "kv_namespace", name: "STATE", namespaceId: state.id },
      );
      if (args.label) bindings.push({ type: "plain_text", name: "STACK_LABEL", text: args.label });
    }

    const [scriptArgs, scriptOpts] = applyTransform(
      transform?.script,
      {
        accountId: args.accountId,
        scriptName: plan.scriptName,
        content: bundleWorker(),
        mainModule: MAIN_MODULE,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings,
      } as WorkersScriptArgs,
      { parent: this },
    );
    const script = new cloudflare.WorkersScript(`${name}-script`, scriptArgs, scriptOpts);

    const [triggerArgs, triggerOpts] = applyTransform(
      transform?.trigger,
      {
        accountId: args.accountId,
        // From the script's output, so the trigger waits for the script to exist.
        scriptName: script.scriptName,
        schedules: plan.schedules.map((cron) => ({ cron })),
      } as WorkersCronTriggerArgs,
      { parent: this },
    );
    new cloudflare.WorkersCronTrigger(`${name}-trigger`, triggerArgs, triggerOpts);

    // API uploads are not on workers.dev by default; the run-now route needs an address.
    const [subArgs, subOpts] = applyTransform(
      transform?.subdomain,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: true, previewsEnabled: false } as WorkersScriptSubdomainArgs,
      { parent: this },
    );
    new cloudflare.WorkersScriptSubdomain(`${name}-workers-dev`, subArgs, subOpts);

    this.scriptName = script.scriptName;
    this.schedules = pulumi.output(plan.schedules);
    this.jobNames = pulumi.output(plan.jobNames);
    this.registerOutputs({ scriptName: this.scriptName, secret: this.secret, schedules: this.schedules, jobNames: this.jobNames });
  }
}
