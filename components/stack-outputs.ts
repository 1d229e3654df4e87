import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config/environment";
import type { ConsumerEndpoint } from "./database-outputs";

/**
 * What a webstack stack exports, for other stacks that read it through a StackReference.
 * Every field is absent when the stack has no such component. Secrets stay secrets.
 *
 * @example
 * const prod = readStackOutputs("acme/webstack/prod");
 * export const apiUrl = prod.backendUrl; // Output<string | undefined>
 */
export interface StackOutputs {
  /** The stack's role: production | staging | development | preview. */
  environment: Environment;
  /** Product name (`webstack:app.name`); `webstack backup` names its files after it. */
  appName?: string;
  /** URL of the main backend service, e.g. `https://ott-prod-api.onrender.com`. */
  backendUrl?: string;
  /** Render id of the main backend service. */
  backendServiceId?: string;
  /** URL of each developer branch service, by branch-service name. */
  branchUrls?: Record<string, string>;
  /** Render id of each developer branch service, by branch-service name. */
  branchServiceIds?: Record<string, string>;
  /** Path the backend answers health checks on, e.g. `/healthz`. */
  backendHealthCheckPath?: string;
  /** Custom backend domains whose DNS Render has not verified yet (empty once all serve). */
  backendPendingDomains?: string[];
  /** URL the stack's frontend answers on (its production domain, or its branch domain). */
  frontendUrl?: string;
  /** Where the frontend is hosted: `vercel` or `netlify` (absent in stacks from before Netlify: Vercel). */
  frontendHost?: "vercel" | "netlify";
  /** Vercel project id or Netlify site id; stacks that attach to prod's site read it. */
  frontendProjectId?: string;
  /** Vercel team of the project (`webstack:frontend.teamId`, else `vercel:team`: an id or a slug), or the Netlify team slug. */
  frontendTeamId?: string;
  /** Whether this stack created the Vercel project and so owns its production target. */
  frontendOwnsProduction?: boolean;
  /** The git branch whose deploys are this stack's frontend (staging, dev, a PR's head), when it does not own production. */
  frontendBranch?: string;
  /**
   * The Vercel project's automation bypass secret (secret): `webstack status/verify` send it as
   * `x-vercel-protection-bypass` to reach deployments behind Vercel Authentication.
   */
  frontendProtectionBypass?: string;
  /** Vercel plan of the project's team (`webstack:frontend.plan`); Hobby rolls back only one deployment. */
  frontendPlan?: "hobby" | "pro" | "free" | "personal" | "starter";
  /** The stack's own database connection string (secret). */
  databaseConnectionString?: string;
  /** `isolated`: the stack owns its database; `shared`: it has a role on another stack's. */
  databaseMode?: "isolated" | "shared";
  /** The stack whose database a shared stack uses, e.g. `acme/webstack/staging`. */
  databaseFrom?: string;
  /** Connection string of the role that owns an isolated stack's database (secret); backups use it. */
  databaseOwnerConnection?: string;
  /** Render Postgres (`dpg-…`) the stack's database lives on, when Render hosts it. */
  renderPostgresId?: string;
  /** Supabase project (`ref`) the stack's database lives on, when Supabase hosts it; status/verify read its health. */
  supabaseProjectRef?: string;
  /** `https://<ref>.supabase.co`, the project's API URL. */
  supabaseApiUrl?: string;
  /** Where each consumer stack's role connects, without its password. */
  databaseConsumers?: Record<string, ConsumerEndpoint>;
  /** Each consumer stack's own connection string (secret map). */
  databaseConsumerConnectionStrings?: Record<string, string>;
  /** Render project (`prj-…`) this stack owns; other stacks add their environment to it. */
  renderProjectId?: string;
  /** Name of the cron Worker script. */
  cronScriptName?: string;
  /** The schedules the cron Worker runs (empty when disabled). */
  cronSchedules?: string[];
  /** Render Key Value id (`red-…`) of the stack's cache, the owner's when shared. */
  cacheId?: string;
  /** The stack's `REDIS_URL` (secret). */
  cacheConnectionString?: string;
  /** The stack's R2 bucket, the owner's when shared. */
  bucketName?: string;
  /** The bucket's S3 endpoint, e.g. `https://<account>.r2.cloudflarestorage.com`. */
  storageEndpoint?: string;
  /** The stack's own S3 access key id, its R2 token's id (secret). */
  storageAccessKeyId?: string;
  /** The stack's own S3 secret access key (secret). */
  storageSecretAccessKey?: string;
  /** Cloudflare account of the cron Worker (its workers.dev address is looked up in it). */
  cronAccountId?: string;
  /** Job names the cron Worker runs, keep-alive included; `webstack cron run` takes one. */
  cronJobs?: string[];
  /** Bearer secret of the cron Worker's run-now route, also the backend's CRON_SECRET (secret). */
  cronSecret?: string;
  /** Slack or Discord webhook that alerts and deploy results go to (secret). */
  notifyWebhookUrl?: string;
  /** age public key `webstack backup` encrypts to (`webstack:backup.recipient`). */
  backupRecipient?: string;
}

export type StackOutputName = keyof StackOutputs;

/** Names of the outputs that are always secret. */
export const SECRET_STACK_OUTPUTS: readonly StackOutputName[] = [
  "databaseConnectionString",
  "databaseConsumerConnectionStrings",
  "cacheConnectionString",
  "storageAccessKeyId",
  "storageSecretAccessKey",
  "databaseOwnerConnection",
  "cronSecret",
  "notifyWebhookUrl",
  "frontendProtectionBypass",
];

/** What a program exports for each output: the value, or undefined when the stack lacks it. */
export type StackOutputInputs = { [K in StackOutputName]: pulumi.Input<NonNullable<StackOutputs[K]>> | undefined };

/** Typed view of another webstack stack's outputs: `{ backendUrl: Output<string | undefined>, … }`. */
export type StackOutputsOf = { [K in StackOutputName]-?: pulumi.Output<StackOutputs[K]> };

/**
 * Reads a webstack stack through a StackReference with typed outputs. Pass an existing
 * reference to share it, or a `<org>/<project>/<stack>` name to create one.
 */
export function readStackOutputs(ref: pulumi.StackReference | string, opts?: pulumi.CustomResourceOptions): StackOutputsOf {
  const reference = typeof ref === "string" ? new pulumi.StackReference(ref, { name: ref }, opts) : ref;
  const names: StackOutputName[] = [
    "environment",
    "appName",
    "backendUrl",
    "backendServiceId",
    "branchUrls",
    "branchServiceIds",
    "backendHealthCheckPath",
    "backendPendingDomains",
    "frontendUrl",
    "frontendHost",
    "frontendProjectId",
    "frontendTeamId",
    "frontendOwnsProduction",
    "frontendBranch",
    "frontendProtectionBypass",
    "frontendPlan",
    "databaseConnectionString",
    "databaseMode",
    "databaseFrom",
    "databaseOwnerConnection",
    "renderPostgresId",
    "supabaseProjectRef",
    "supabaseApiUrl",
    "databaseConsumers",
    "databaseConsumerConnectionStrings",
    "renderProjectId",
    "cronScriptName",
    "cronSchedules",
    "cacheId",
    "cacheConnectionString",
    "bucketName",
    "storageEndpoint",
    "storageAccessKeyId",
    "storageSecretAccessKey",
    "cronAccountId",
    "cronJobs",
    "cronSecret",
    "notifyWebhookUrl",
    "backupRecipient",
  ];
  return Object.fromEntries(names.map((n) => [n, reference.getOutput(n)])) as StackOutputsOf;
}
