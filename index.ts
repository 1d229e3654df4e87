import * as pulumi from "@pulumi/pulumi";
import { Cache } from "./components/cache";
import { CronTrigger } from "./components/cron-trigger";
import { Database } from "./components/database";
import { databaseServer } from "./components/database-server";
import { EnvVarSet, type EnvVar } from "./components/env-var-set";
import { apiUrlVariables } from "./components/env-wiring";
import { createFrontend } from "./components/frontend-host";
import { apiUrlVariable, frontendFramework, netlifySettings } from "./config/frontend";
import { defaultConsumerName, SharedDatabase } from "./components/shared-database";
import type { StackOutputInputs } from "./components/stack-outputs";
import { Storage } from "./components/storage";
import { WebService } from "./components/web-service";
import { cacheArgs } from "./config/cache";
import { envVarsFromConfig, STORAGE_VARIABLES } from "./config/env";
import { loadStackConfig } from "./config/load";
import { branchCacheKeyPrefix, cloudName } from "./config/naming";
import { storageArgs } from "./config/storage";
import { webPlan } from "./config/web";
import { RenderEnvironment, RenderProject } from "./providers/render/project-resource";

// Everything below runs only on a valid config: loadStackConfig throws before any resource.
const loaded = loadStackConfig();
const { config, stack } = loaded;
const production = config.environment === "production";
const name = (part: string) => cloudName(config.app.name, stack, part);
const db = config.database;

// Async, so the program can wait for the owner of a shared database before registering more.
async function main() {
  // --- A shared database first: if the owner stack refuses this stack, the program stops here with
  // one error, before any resource that would use the database (or anything else) registers.
  const shared =
    db?.mode === "shared"
      ? new SharedDatabase("db", {
          from: db.from,
          allowProductionData: db.allowProductionData,
          consumer: db.consumer ?? defaultConsumerName(config.environment, stack),
        })
      : undefined;
  if (shared) await shared.ready();

  // --- Render project: an environment named after the stack, in a project this stack owns or joins.
  const rp = config.app.renderProject;
  const renderProject = rp?.name
    ? new RenderProject(
        "render-project",
        { ownerId: config.app.renderOwnerId, name: rp.name, environments: [{ name: stack, protected: production }] },
        // It holds production's environment; the provider also refuses to delete a non-empty one.
        { protect: production, retainOnDelete: production },
      )
    : undefined;
  const renderEnvironmentId: pulumi.Output<string> | undefined = renderProject
    ? renderProject.environmentIds.apply((ids) => ids[stack]!)
    : rp?.id || rp?.from
      ? new RenderEnvironment(
          "render-environment",
          {
            // Plain config (`id`) below production: no StackReference into prod (docs/architecture.md).
            // A `from` owner must be up first; Pulumi names the missing output otherwise.
            projectId: rp.id ?? (new pulumi.StackReference("render-project", { name: rp.from! }).requireOutput("renderProjectId") as pulumi.Output<string>),
            name: stack,
            protected: production,
          },
          { protect: production, retainOnDelete: production },
        ).id
      : undefined;

  // --- Database: the stack's own (isolated) or a consumer role on another stack's (shared, above).
  // Its server (Render Postgres or a Supabase project) is chosen in components/database-server.ts.
  const web = webPlan(config);
  const dbServer = databaseServer(db, {
    name,
    production,
    renderOwnerId: config.app.renderOwnerId,
    renderEnvironmentId,
    frontendFramework: config.frontend && web ? frontendFramework(config.frontend) : undefined,
  });
  const database =
    db?.mode === "isolated"
      ? new Database(
          "db",
          {
            app: config.app.name,
            stack,
            sslmode: db.sslmode,
            consumers: db.consumers,
            protect: production,
            ...(dbServer ? { adminConnection: dbServer.adminConnection, loginSuffix: dbServer.loginSuffix } : {}),
          },
          // The postgresql provider must not connect before the server exists (pulumi/pulumi#3166).
          { dependsOn: dbServer ? [dbServer.resource] : [] },
        )
      : shared;
  if (database instanceof Database && dbServer?.checkLogins) {
    dbServer.checkLogins(
      pulumi.all([database.connectionString, database.consumerConnectionStrings]).apply(([owner, consumers]) => [owner, ...Object.values(consumers)]),
      [database],
    );
  }

  const backend = config.backend;

  // --- Cache (Render Key Value) and object storage (Cloudflare R2): the stack's own, or another stack's.
  const cacheSettings = cacheArgs(config, stack);
  const cache = cacheSettings
    ? new Cache("cache", cacheSettings.from ? cacheSettings : { ...cacheSettings, environmentId: renderEnvironmentId })
    : undefined;
  const storageSettings = storageArgs(config, stack, web?.corsAllowedOrigins ?? []);
  const storage = storageSettings ? new Storage("storage", storageSettings) : undefined;
  // A refusing owner of a shared cache or bucket stops the program here, with one error, before the services that would use them.
  await Promise.all([cache?.ready(), storage?.ready()]);

  // --- Variables: one typed set; webstack wires DATABASE_URL, REDIS_URL, S3_*, CRON_SECRET and CORS itself.
  const env = new EnvVarSet("env", {
    frontendSlots: web?.slots ?? [],
    variables: [
      ...envVarsFromConfig(config.env, loaded.secret),
      ...(database && backend
        ? [{ name: "DATABASE_URL", from: database.connectionString, to: ["backend"], description: "database connection string" } satisfies EnvVar]
        : []),
      ...(dbServer && database && backend ? dbServer.variables(database.connectionString) : []),
      ...(cache && backend
        ? [
            { name: "REDIS_URL", from: cache.connectionString, to: ["backend"], description: "cache connection string" } satisfies EnvVar,
            { name: "CACHE_KEY_PREFIX", literal: cache.keyPrefix, public: true, to: ["backend"] } satisfies EnvVar,
          ]
        : []),
      ...(storage && backend
        ? [
            { name: "S3_ENDPOINT_URL", from: storage.endpoint, to: ["backend"], description: "R2 endpoint" } satisfies EnvVar,
            { name: "S3_BUCKET", from: storage.bucketName, to: ["backend"], description: "R2 bucket" } satisfies EnvVar,
            { name: "S3_REGION", literal: storage.region, public: true, to: ["backend"] } satisfies EnvVar,
            { name: "S3_ACCESS_KEY_ID", from: storage.accessKeyId, to: ["backend"], description: "the bucket token's id" } satisfies EnvVar,
            { name: "S3_SECRET_ACCESS_KEY", from: storage.secretAccessKey, to: ["backend"], description: "SHA-256 of the bucket token" } satisfies EnvVar,
            ...(storage.keyPrefix ? [{ name: "S3_KEY_PREFIX", literal: storage.keyPrefix, public: true, to: ["backend"] } satisfies EnvVar] : []),
          ]
        : []),
      // Generated here, not in CronTrigger: the Worker needs the backend's URL and the backend this secret.
      ...(config.cron && backend ? [{ name: "CRON_SECRET", generate: 48, to: ["backend", "worker"] } satisfies EnvVar] : []),
      ...(web && backend
        ? [
            {
              name: "CORS_ALLOWED_ORIGINS",
              literal: web.corsAllowedOrigins.join(","),
              public: true,
              to: ["backend"],
            } satisfies EnvVar,
            // The host's own URL rules give it, so it matches the frontend's URL exactly.
            { name: "FRONTEND_URL", literal: web.frontendUrl, public: true, to: ["backend"] } satisfies EnvVar,
          ]
        : []),
    ],
  });

  // --- Backend on Render, with one service per developer branch.
  const api = backend
    ? new WebService("api", {
        ownerId: config.app.renderOwnerId,
        name: name(backend.name),
        // An image service is pulled, not built: no repo or branch.
        ...(backend.runtime === "image" ? { image: backend.image } : { repo: `https://github.com/${config.app.repo}`, branch: backend.branch }),
        rootDir: backend.rootDir,
        runtime: backend.runtime,
        buildCommand: backend.buildCommand,
        startCommand: backend.startCommand,
        preDeployCommand: backend.preDeployCommand,
        healthCheckPath: backend.healthCheckPath,
        plan: backend.plan,
        region: backend.region,
        instances: backend.instances,
        autoscaling: backend.autoscaling,
        disk: backend.disk,
        domains: backend.domains,
        autoDeploy: backend.autoDeploy,
        envVars: env.renderEnvVars,
        // Each branch service keys the shared cache under its own prefix: `<stack>:<branch>:`.
        branches: backend.branches.map((b) => (cache ? { ...b, envVars: { CACHE_KEY_PREFIX: branchCacheKeyPrefix(cache.keyPrefix, b.name) } } : b)),
        // Branch services share the database and the cache, but the bucket's credentials stay with the main service.
        mainOnlyEnvVars: storage ? [...STORAGE_VARIABLES] : undefined,
        environmentId: renderEnvironmentId,
        protect: production,
      })
    : undefined;

  // --- Alerts (webstack:notify): the cron Worker posts failures; `webstack notify` posts deploy results.
  const notifyWebhookUrl = config.notify ? loaded.secret(config.notify.webhook.secret) : undefined;

  // --- Cron Worker calling the backend with the shared secret.
  const cron =
    api && config.cron
      ? new CronTrigger("cron", {
          accountId: config.cron.accountId,
          scriptName: name("cron"),
          targetUrl: api.url,
          secret: env.values.CRON_SECRET,
          jobs: config.cron.jobs,
          // Pull-request stacks share a database: their crons stay off unless asked for.
          enabled: config.cron.enabled ?? config.environment !== "preview",
          keepAlive: config.cron.keepAlive,
          healthCheckPath: backend?.healthCheckPath,
          ...(notifyWebhookUrl ? { notifyWebhookUrl, label: `${config.app.name} ${stack}` } : {}),
        })
      : undefined;

  // --- Frontend on its host (webstack:frontend.host): prod owns the site, other stacks add their branches to it.
  const frontendOwner = web?.projectFrom ? new pulumi.StackReference("frontend-project", { name: web.projectFrom }) : undefined;
  const site = web
    ? createFrontend("web", web.site, {
        ...(frontendOwner
          ? {
              attachTo: frontendOwner.requireOutput("frontendProjectId") as pulumi.Output<string>,
            }
          : web.projectId
            ? { attachTo: web.projectId }
            : {}),
        variables: [
          ...env.vercelVariables,
          ...(api && config.frontend
            ? apiUrlVariables({
                variable: apiUrlVariable(config.frontend),
                slots: web.slots,
                serviceUrl: web.backendDomainUrl ?? api.url,
                branchServices: backend?.branches,
                branchUrls: api.branchUrls,
              })
            : []),
        ],
      })
    : undefined;

  // --- Stack outputs: the typed contract other stacks read (components/stack-outputs.ts).
  const outputs = {
    environment: config.environment,
    appName: config.app.name,
    backendUrl: api?.url,
    backendServiceId: api?.serviceId,
    branchUrls: api?.branchUrls,
    // What `webstack status/verify/rollback/backup` act on (ops/).
    branchServiceIds: backend?.branches.length ? api?.branchServiceIds : undefined,
    backendHealthCheckPath: api ? (backend?.healthCheckPath ?? "/") : undefined,
    backendPendingDomains: backend?.domains.length ? api?.pendingDomains : undefined,
    frontendUrl: site?.url,
    frontendProjectId: site?.projectId,
    frontendHost: site ? web?.site.host : undefined,
    frontendTeamId: site
      ? web?.site.host === "vercel"
        ? (web.site.teamId ?? new pulumi.Config("vercel").get("team"))
        : web?.site.scope
      : undefined,
    frontendOwnsProduction: site ? !web?.projectFrom && !web?.projectId : undefined,
    // The branch CI deploys this stack's frontend from (Netlify's --alias/--context), and verify reads.
    frontendBranch: site && (web?.projectFrom || web?.projectId) ? config.frontend?.branch : undefined,
    // The owner's automation bypass (Vercel); a stack attached to it passes on the owner's (both secret).
    frontendProtectionBypass:
      web?.site.host === "vercel"
        ? (site?.protectionBypassSecret ?? (frontendOwner?.getOutput("frontendProtectionBypass") as pulumi.Output<string> | undefined))
        : undefined,
    frontendPlan: site ? (config.frontend?.host === "netlify" ? netlifySettings(config.frontend).plan : config.frontend?.plan) : undefined,
    databaseConnectionString: database?.connectionString,
    databaseMode: db?.mode,
    databaseFrom: db?.mode === "shared" ? db.from : undefined,
    databaseOwnerConnection: database instanceof Database ? database.connectionString : undefined,
    renderPostgresId: dbServer?.outputs.renderPostgresId,
    supabaseProjectRef: dbServer?.outputs.supabaseProjectRef,
    supabaseApiUrl: dbServer?.outputs.supabaseApiUrl,
    databaseConsumers: database instanceof Database ? database.consumers : undefined,
    databaseConsumerConnectionStrings: database instanceof Database ? database.consumerConnectionStrings : undefined,
    renderProjectId: renderProject?.id,
    cronScriptName: cron?.scriptName,
    cronSchedules: cron?.schedules,
    cacheId: cache?.cacheId,
    cacheConnectionString: cache?.connectionString,
    bucketName: storage?.bucketName,
    storageEndpoint: storage?.endpoint,
    storageAccessKeyId: storage?.accessKeyId,
    storageSecretAccessKey: storage?.secretAccessKey,
    cronAccountId: cron ? config.cron?.accountId : undefined,
    cronJobs: cron?.jobNames,
    cronSecret: cron?.secret,
    notifyWebhookUrl,
    backupRecipient: config.backup?.recipient,
  } satisfies StackOutputInputs;

  // Only what this stack has: Pulumi warns about every undefined export.
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}

// Pulumi awaits an exported promise and takes its value as the stack outputs.
export = main();
