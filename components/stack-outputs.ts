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
  /** URL of the main backend service, e.g. `https://ott-prod-api.onrender.com`. */
  backendUrl?: string;
  /** Render id of the main backend service. */
  backendServiceId?: string;
  /** URL of each developer branch service, by branch-service name. */
  branchUrls?: Record<string, string>;
  /** Custom backend domains whose DNS Render has not verified yet (empty once all serve). */
  backendPendingDomains?: string[];
  /** URL the stack's frontend answers on (its production domain, or its branch domain). */
  frontendUrl?: string;
  /** Vercel project id; stacks that attach to prod's project read it. */
  frontendProjectId?: string;
  /** The stack's own database connection string (secret). */
  databaseConnectionString?: string;
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
}

export type StackOutputName = keyof StackOutputs;

/** Names of the outputs that are always secret. */
export const SECRET_STACK_OUTPUTS: readonly StackOutputName[] = [
  "databaseConnectionString",
  "databaseConsumerConnectionStrings",
  "cacheConnectionString",
  "storageAccessKeyId",
  "storageSecretAccessKey",
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
    "backendUrl",
    "backendServiceId",
    "branchUrls",
    "backendPendingDomains",
    "frontendUrl",
    "frontendProjectId",
    "databaseConnectionString",
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
  ];
  return Object.fromEntries(names.map((n) => [n, reference.getOutput(n)])) as StackOutputsOf;
}
