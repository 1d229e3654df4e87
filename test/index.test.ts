import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { prepareStack } from "../synth/prepare";
import { synthesize } from "../synth/run";
import { stackFileWith, synthCommitted as synthStack } from "./harness";

/**
 * Runs the program as `pulumi up` would, by default without the synth's secret placeholders,
 * and records what it registers and every error Pulumi's runner would report.
 */
async function runRaw(stack: string, overrides: Record<string, unknown> = {}, opts: { placeholders?: boolean } = {}) {
  let file = stackFileWith(stack, overrides);
  if (opts.placeholders) {
    const prepared = prepareStack(file);
    if (!prepared.ok) throw new Error(prepared.errors.join("\n"));
    file = prepared.stackFile;
  }
  const { vi } = await import("vitest");
  vi.resetModules();
  const registered: string[] = [];
  // Pulumi's runner reports the program's error and every unhandled rejection, each distinct
  // error object once (cmd/run: isErrorReported).
  const rejections: unknown[] = [];
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (reason) => void rejections.push(reason));
  const error = await synthesize({
    project: file.project,
    stack,
    organization: "acme",
    config: file.config,
    secretKeys: file.secretKeys,
    program: async () => {
      const mon: any = pulumi.runtime.getMonitor();
      const orig = mon.registerResource.bind(mon);
      mon.registerResource = (req: any, cb: any) => (registered.push(req.getType()), orig(req, cb));
      // The stack itself exists before the program runs; nothing else may follow it.
      return import("../index.js").then((m) => m.default);
    },
  })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
    .finally(async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      process.removeAllListeners("unhandledRejection");
      for (const l of saved) process.on("unhandledRejection", l);
    });
  const reported = [...new Set([error, ...rejections].filter((e) => e !== undefined))];
  return { error, registered, reported };
}

describe("index.ts", () => {
  it.each(["prod", "staging", "dev"])("composes the %s stack", async (stack) => {
    const m = await synthStack(stack);
    expect(m.resources.some((r) => r.type === "pulumi:pulumi:Stack")).toBe(true);
    expect(m.outputs.environment).toBe({ prod: "production", staging: "staging", dev: "development" }[stack]);
  });

  it("refuses an invalid config with one RunError naming every key, before registering anything", async () => {
    const { error, registered } = await runRaw("staging", {
      environment: "stagin",
      database: { mode: "shared" },
    });
    expect(error).toBeInstanceOf(pulumi.RunError);
    const message = (error as Error).message;
    expect(message).toContain("Invalid configuration for stack 'staging' (2 problems):");
    expect(message).toContain("webstack:environment: expected 'production' | 'staging' | 'development' | 'preview'");
    expect(message).toContain("webstack:database.from: missing required key (expected string)");
    expect(registered.filter((t) => t !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("lists every missing secret with the command that sets it", async () => {
    const { error, registered } = await runRaw("prod", { secrets: undefined });
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect((error as Error).message).toBe(
      [
        "Stack 'prod' is missing 2 secrets: STRIPE_SECRET_KEY, WEBHOOK_SIGNING_KEY.",
        "Set them with:",
        "  pulumi config set --stack prod --path --secret 'secrets.STRIPE_SECRET_KEY' '<value>'",
        "  pulumi config set --stack prod --path --secret 'secrets.WEBHOOK_SIGNING_KEY' '<value>'",
      ].join("\n"),
    );
    expect(registered.filter((t) => t !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("puts prod's services and database in a protected environment of the project it owns", async () => {
    const m = await synthStack("prod");
    const project = m.resources.find((r) => r.type === "pulumi-nodejs:dynamic/render:Project")!;
    expect(project).toMatchObject({ protect: true, retainOnDelete: true });
    expect(project.inputs).toMatchObject({ name: "ott", ownerId: "tea-cs1ott7acme2prod4x0", environments: [{ name: "prod", protected: true }] });
    const inEnvironment = m.resources.filter((r) => r.inputs.environmentId !== undefined);
    expect(inEnvironment.map((r) => r.type).sort()).toEqual([
      "pulumi-nodejs:dynamic/render:KeyValue",
      "pulumi-nodejs:dynamic/render:Postgres",
      "pulumi-nodejs:dynamic/render:Service",
    ]);
    for (const r of inEnvironment) {
      expect(r.inputs.environmentId).toBe("evm-fake-prod");
      expect(r.dependsOn).toContain(project.urn);
    }
    expect(m.outputs.renderProjectId).toBe("render-project-id");
  });

  it("adds dev's own environment to prod's project and moves every dev service into it", async () => {
    const m = await synthStack("dev");
    expect(m.resources.some((r) => r.type === "pulumi-nodejs:dynamic/render:Project")).toBe(false);
    // prod's project by its id from plain config: dev reads no production stack (issue 20).
    expect(m.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).not.toContain("acme/webstack/prod");
    const env = m.resources.find((r) => r.type === "pulumi-nodejs:dynamic/render:Environment")!;
    expect(env.inputs).toMatchObject({ projectId: "prj-cs1ott7acme2proj0x0", name: "dev", protected: false });
    expect(env).toMatchObject({ protect: false, retainOnDelete: false });
    const services = m.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/render:Service");
    expect(services).toHaveLength(3);
    for (const s of services) expect(s.inputs.environmentId).toBe("render-environment-id");
    expect(m.outputs.renderProjectId).toBeUndefined();
  });

  it("connects prod's database admin to the database Render created, never to 'postgres'", async () => {
    const m = await synthStack("prod");
    const admin = m.resources.find((r) => r.type === "pulumi:providers:postgresql" && r.name === "db-admin")!;
    // The synth's Render Postgres answers with this name (synth/fake-outputs.ts), as Render answers with its own.
    expect(admin.inputs.database).toBe("db_fake");
    expect(admin.inputs.database).not.toBe("postgres");
    expect(admin.inputs.username).toBe("user_fake");
  });

  it("reports a consumer its owner does not list once, in one line, before anything that would use the database", async () => {
    const backend = JSON.parse(stackFileWith("dev").config["webstack:backend"]!);
    const branches = Array.from({ length: 50 }, (_, i) => `dev${i + 1}`);
    const { error, registered, reported } = await runRaw(
      "dev",
      { backend: { ...backend, branches }, database: { mode: "shared", from: "acme/webstack/staging", consumer: "qa" } },
      { placeholders: true },
    );
    expect(reported).toEqual([error]);
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "acme/webstack/dev cannot use the database of acme/webstack/staging: consumer 'qa' is not in webstack:database.consumers of " +
        "acme/webstack/staging (it lists: dev, preview). Add 'qa' there and run 'pulumi up' on acme/webstack/staging, " +
        "or set webstack:database.consumer here to a name it lists (SharedDatabase arg consumer).",
    );
    // Nothing but the reference to the owner registered: no service, no Vercel variable, no cron.
    expect(new Set(registered)).toEqual(new Set(["pulumi:pulumi:Stack", "webstack:index:SharedDatabase"]));
  });

  it("reports a cache or bucket owner that refuses once, in one line, before any service that would use it", async () => {
    const backend = JSON.parse(stackFileWith("dev").config["webstack:backend"]!);
    const branches = Array.from({ length: 50 }, (_, i) => `dev${i + 1}`);
    for (const [section, what] of [
      ["cache", "cache"],
      ["storage", "bucket"],
    ] as const) {
      const { error, registered, reported } = await runRaw(
        "dev",
        { backend: { ...backend, branches }, [section]: { mode: "shared", from: "acme/webstack/legacy" } },
        { placeholders: true },
      );
      expect(reported).toEqual([error]);
      expect(pulumi.RunError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `Refusing to share the ${what} of acme/webstack/legacy: it exports no 'environment' output, so it may hold production data. ` +
          (section === "cache" ? "This stack would read and overwrite production's cached data. " : "This stack would read and overwrite production's files. ") +
          `If that is intended, set webstack:${section}.allowProductionData: true (${section === "cache" ? "Cache" : "Storage"} arg allowProductionData).`,
      );
      expect(registered).not.toContain("webstack:index:EnvVarSet");
      expect(registered).not.toContain("pulumi-nodejs:dynamic/render:Service");
    }
  });
});
