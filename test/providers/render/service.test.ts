import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServiceProvider, diffService, type ServiceInputs, type ServiceOutputs } from "../../../providers/render/service";
import { type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

let emu: RenderEmulator;
const OWNER = "tea-abc123";

// Short delays keep these tests fast; the logic is the same as in production.
const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, maxAttempts: 8, getsPerMinute: 0, writesPerMinute: 0 };
const provider = (timeoutMs = fast.timeoutMs) =>
  createServiceProvider({ client: { ...fast, timeoutMs, baseUrl: emu.url, apiKey: emu.apiKey }, pollIntervalMs: 1 });

const base: ServiceInputs = webServiceInputs({
  ownerId: OWNER,
  name: "ott-dev-api",
  preDeployCommand: "npm run migrate",
  plan: "starter",
  region: "oregon",
  envVars: { DATABASE_URL: "postgres://u:p@h/db", NODE_ENV: "production" },
});


beforeAll(async () => {
  emu = await startEmulator({ slowMs: 120 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset({ slowMs: 120 }));

// Lifecycles, faults and partial state run through the real provider host: host-lifecycle and host-faults.
describe("Service provider units", () => {
  it("replaces on type, owner or region changes, deleting first when the name is kept", () => {
    expect(diffService(base, { ...base, region: "frankfurt" })).toEqual({ changes: true, replaces: ["region"], deleteBeforeReplace: true });
    expect(diffService(base, { ...base, type: "background_worker", healthCheckPath: undefined }).replaces).toEqual(["type"]);
    expect(diffService(base, { ...base, name: "other", ownerId: "tea-zzz" })).toMatchObject({ replaces: ["ownerId"], deleteBeforeReplace: false });
    // Unset fields equal Render's defaults.
    const docker = { ...base, runtime: "docker", buildCommand: undefined, startCommand: undefined };
    expect(diffService({ ...docker, dockerfilePath: "./Dockerfile", dockerContext: "." }, docker).changes).toBe(false);
    expect(diffService({ ...base, plan: undefined, region: undefined }, base).changes).toBe(false);
    // Unknown values during preview count as changes.
    expect(diffService(base, { ...base, envVars: { A: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } }).changes).toBe(true);
  });

  it("check names the offending input and never echoes env var values", async () => {
    const p = provider();
    const { failures } = await p.check!({}, {
      ...base,
      ownerId: "acme",
      type: "cron_job",
      buildCommand: undefined,
      numInstances: 0,
      envVars: { "1BAD": "s3cr3t-value", OK: 5 as unknown as string },
    });
    const text = JSON.stringify(failures);
    for (const prop of ["ownerId", "schedule", "healthCheckPath", "buildCommand", "numInstances", "envVars"]) {
      expect(failures!.map((f) => f.property)).toContain(prop);
    }
    expect(text).not.toContain("s3cr3t-value");
    expect((await p.check!({}, { ...base, type: undefined })).failures).toContainEqual({ property: "type", reason: expect.stringMatching(/^type is required/) });
  });

  it("honours Ratelimit-Reset as a delta, then succeeds", async () => {
    const p = provider();
    emu.inject({ kind: "429", resetSeconds: 1 });
    const t0 = Date.now();
    await p.create(base);
    // Waited for the reset the server asked for, not the 1 ms backoff.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(emu.services.size).toBe(1);
  });

  it("gives up within the wait budget with an error naming method, path, status and Render's message", async () => {
    const p = createServiceProvider({ client: { ...fast, baseUrl: emu.url, apiKey: emu.apiKey, maxTotalWaitMs: 500 } });
    emu.inject({ kind: "429", resetSeconds: 3600 });
    await expect(p.create(base)).rejects.toThrow(/POST \/services failed \(429\): rate limit exceeded \(gave up: next retry in 3600 s/);
    emu.reset();
    await expect(p.create({ ...base, runtime: "cobol" })).rejects.toThrow(/POST \/services failed \(400\): serviceDetails.runtime must be one of/);
  });
});

describe("the API key", () => {
  it("comes from the stack's render:apiKey when the provider host configures it", async () => {
    const { Config } = await import("@pulumi/pulumi/cmd/dynamic-provider/config.js");
    const p = createServiceProvider({ client: { ...fast, baseUrl: emu.url }, pollIntervalMs: 1 });
    const saved = process.env.RENDER_API_KEY;
    process.env.RENDER_API_KEY = "rnd_staleKeyInEnvironment";
    try {
      await p.configure!({ config: new Config({ "render:apiKey": emu.apiKey, "webstack:app": "{}" }, "webstack") });
      const { id } = await p.create(base);
      expect(emu.services.has(id)).toBe(true);
      expect(emu.requests.every((r) => r.authorization === `Bearer ${emu.apiKey}`)).toBe(true);
      // Without it, the environment's key is used.
      await p.configure!({ config: new Config({}, "webstack") });
      await expect(p.read!(id, {} as ServiceOutputs)).rejects.toThrow(/\(401\)/);
    } finally {
      if (saved === undefined) delete process.env.RENDER_API_KEY;
      else process.env.RENDER_API_KEY = saved;
    }
  });

  it("appears only in the Authorization header, never in a URL, body or error", async () => {
    const p = provider();
    const errors: string[] = [];
    await p.create(base);
    for (const bad of [{ ...base, name: "x y", region: "atlantis" }, { ...base, runtime: "cobol" }]) {
      await p.create(bad).catch((e: Error) => errors.push(`${e.message} ${e.stack} ${JSON.stringify(e)}`));
    }
    const wrongKey = createServiceProvider({ client: { ...fast, baseUrl: emu.url, apiKey: "rnd_wrongKeyabcdef" } });
    await wrongKey.read!("srv-x", {} as ServiceOutputs).catch((e: Error) => errors.push(`${e.message} ${JSON.stringify(e)}`));
    expect(errors.length).toBe(3);
    expect(errors.join("\n")).toMatch(/401/);
    for (const text of [...errors, ...emu.requests.flatMap((r) => [r.url, r.body])]) {
      expect(text).not.toContain(emu.apiKey);
      expect(text).not.toContain("rnd_wrongKeyabcdef");
    }
    expect(emu.requests.every((r) => r.authorization === `Bearer ${emu.apiKey}` || r.authorization === "Bearer rnd_wrongKeyabcdef")).toBe(true);
  });
});
