// A reporting program of its own: a database on a PostgreSQL server run elsewhere, a Render
// service that renders the reports, and a nightly cron Worker calling the backend another
// (webstack) stack deployed. Only the public entry "webstack" is imported, as any consumer would.
import * as pulumi from "@pulumi/pulumi";
import { CronTrigger, Database, readStackOutputs, SslMode, type StackOutputs, WebService } from "webstack";

const config = new pulumi.Config();

// Typed outputs of the webstack stack: `backendUrl` is an Output<string | undefined>.
const app = readStackOutputs(config.require("webstackStack"));
const environment: pulumi.Output<StackOutputs["environment"]> = app.environment;
const backendUrl = app.backendUrl.apply((url) => {
  if (!url) throw new Error(`${config.require("webstackStack")} exports no backendUrl: it has no backend`);
  return url;
});

// An existing server (not one this stack creates): the admin connection comes from config.
const reports = new Database("reports", {
  app: "reports",
  adminConnection: {
    host: config.require("dbHost"),
    port: config.getNumber("dbPort") ?? 5432,
    username: config.require("dbAdmin"),
    password: config.requireSecret("dbAdminPassword"),
  },
  sslmode: SslMode.verifyFull,
  consumers: ["analytics"],
});

const renderer = new WebService("reports-api", {
  ownerId: config.require("renderOwnerId"),
  name: "reports-dev-api",
  repo: "https://github.com/acme/reports",
  branch: "main",
  runtime: "node",
  buildCommand: "npm ci && npm run build",
  startCommand: "node dist/server.js",
  healthCheckPath: "/healthz",
  envVars: { DATABASE_URL: reports.connectionString },
});

const nightly = new CronTrigger(
  "reports-cron",
  {
    accountId: config.require("cloudflareAccountId"),
    targetUrl: backendUrl,
    jobs: [
      { name: "nightly-report", schedule: "0 3 * * *", path: "/internal/reports/nightly" },
      { name: "weekly-digest", schedule: "0 8 * * MON", path: "/internal/reports/weekly", method: "PUT" },
    ],
    timeoutSeconds: 60,
  },
  // A per-child hook (typed by the package): Workers Logpush on, without forking the component.
  { transform: { script: (args) => ({ args: { ...args, logpush: true } }) } },
);

export const appEnvironment = environment;
export const databaseUrl = reports.connectionString;
export const analyticsUrl = reports.consumerConnectionStrings.apply((urls) => urls.analytics);
export const cronScript = nightly.scriptName;
export const rendererUrl = renderer.url;
export const cronSecret = nightly.secret;
