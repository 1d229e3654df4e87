import { describe, expect, it } from "vitest";

// components/index.ts is the package's public entry ("webstack"): what it exports at runtime is
// the contract other programs build on, so adding or removing a name is a deliberate change here.

describe("the public entry", () => {
  it("exports the components, the enum objects, the stack-output reader and a few pure helpers", async () => {
    const entry = await import("../../components/index.js");
    expect(Object.keys(entry).sort()).toEqual([
      "Cache",
      "CacheConnection",
      "Consumer",
      "CronTrigger",
      "Database",
      "EnvVarSet",
      "FrontendSite",
      "JobMethod",
      "NetlifyFrontend",
      "R2Jurisdiction",
      "SECRET_STACK_OUTPUTS",
      "SharedDatabase",
      "SslMode",
      "Storage",
      "VercelAuthentication",
      "VercelTarget",
      "WebService",
      "WorkerBindingType",
      "apiUrlVariables",
      "createFrontend",
      "envVarIssues",
      "frontendHost",
      "pgIdentifier",
      "postgresUrl",
      "readStackOutputs",
      "redisUrl",
      "s3SecretAccessKey",
      "vercelVariables",
    ]);
    expect(entry.SslMode.verifyFull).toBe("verify-full");
    expect(entry.postgresUrl({ host: "db", port: 5432, database: "app", user: "u", password: "p w", sslmode: "require" })).toBe(
      "postgresql://u:p%20w@db:5432/app?sslmode=require",
    );
  });
});
