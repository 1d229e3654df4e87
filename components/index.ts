/**
 * webstack's public entry: `import { WebService, Database, … } from "webstack"`.
 *
 * Everything exported here is the package's contract (semver). Type tokens are
 * `webstack:index:<ClassName>` and never change silently: a rename keeps the old token reachable
 * through `aliases` (README, "Use the components in your own stack"). Internal helpers stay
 * importable from their files in the repo, but not from the package.
 */

export type { ResourceTransform } from "./transform";

export {
  WebService,
  type WebServiceArgs,
  type WebServiceAutoscaling,
  type WebServiceBranch,
  type WebServiceDisk,
  type WebServiceOptions,
} from "./web-service";
export type { RenderServiceArgs } from "../providers/render/service-resource";
export type { RenderCustomDomainArgs } from "../providers/render/custom-domain-resource";

export { FrontendSite, VercelAuthentication, type FrontendCustomEnvironment, type FrontendSiteArgs, type FrontendSiteOptions } from "./frontend-site";
export { NetlifyFrontend, type NetlifyFrontendArgs, type NetlifyFrontendOptions } from "./netlify-site";
export { createFrontend, frontendHost, type FrontendHandle, type FrontendHost, type FrontendHostName, type FrontendSiteSpec, type FrontendWiring } from "./frontend-host";
export { apiUrlVariables, type ApiUrlArgs, type DomainEntry, type FrontendUrls } from "./env-wiring";

export {
  Database,
  pgIdentifier,
  SslMode,
  type AdminConnectionArgs,
  type ConsumerEndpoint,
  type DatabaseArgs,
  type DatabaseOptions,
} from "./database";
export { SharedDatabase, type SharedDatabaseArgs, type SharedDatabaseOptions } from "./shared-database";
export { postgresUrl, redisUrl, type PostgresUrlParts, type RedisUrlParts } from "./connection-string";

export { Cache, CacheConnection, type CacheArgs, type CacheOptions, type IpAllowEntry } from "./cache";
export type { RenderKeyValueArgs } from "../providers/render/key-value-resource";
export { R2Jurisdiction, s3SecretAccessKey, Storage, type StorageArgs, type StorageLifecycle, type StorageOptions } from "./storage";

export { CronTrigger, type CronTriggerArgs, type CronTriggerJob, type CronTriggerOptions } from "./cron-trigger";
export { JobMethod } from "./cron-schedule";

export {
  EnvVarSet,
  envVarIssues,
  vercelVariables,
  type EnvVar,
  type EnvVarSetArgs,
  type EnvVarSetOptions,
  type VercelVariable,
  type WorkerBinding,
  WorkerBindingType,
} from "./env-var-set";
export { Consumer, VercelTarget, type VercelSlot } from "./env-guard";

export {
  readStackOutputs,
  SECRET_STACK_OUTPUTS,
  type StackOutputInputs,
  type StackOutputName,
  type StackOutputs,
  type StackOutputsOf,
} from "./stack-outputs";
export type { Environment } from "../config/environment";
