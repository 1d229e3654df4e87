import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { synthesize } from "../synth/run";
import { stackFileWith, synthStack } from "./harness";

/** Runs the program without the synth's secret placeholders, as `pulumi up` would run it. */
async function runRaw(stack: string, overrides: Record<string, unknown> = {}) {
  const file = stackFileWith(stack, overrides);
  const { vi } = await import("vitest");
  vi.resetModules();
  const registered: string[] = [];
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
      return import("../index.js");
    },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, registered };
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
    expect(inEnvironment.map((r) => r.type).sort()).toEqual(["pulumi-nodejs:dynamic/render:Postgres", "pulumi-nodejs:dynamic/render:Service"]);
    for (const r of inEnvironment) {
      expect(r.inputs.environmentId).toBe("evm-fake-prod");
      expect(r.dependsOn).toContain(project.urn);
    }
    expect(m.outputs.renderProjectId).toBe("render-project-id");
  });

  it("adds dev's own environment to prod's project and moves every dev service into it", async () => {
    const m = await synthStack("dev");
    expect(m.resources.some((r) => r.type === "pulumi-nodejs:dynamic/render:Project")).toBe(false);
    const ref = m.resources.find((r) => r.type === "pulumi:pulumi:StackReference" && r.name === "render-project")!;
    expect(ref.inputs.name).toBe("acme/webstack/prod");
    const env = m.resources.find((r) => r.type === "pulumi-nodejs:dynamic/render:Environment")!;
    expect(env.inputs).toMatchObject({ projectId: "prj-fakeprod", name: "dev", protected: false });
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
});
