import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCustomDomainProvider, diffCustomDomain } from "../../../providers/render/custom-domain";
import { createServiceProvider, diffService, type ServiceInputs, type ServiceOutputs } from "../../../providers/render/service";
import { type FaultKind, RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

let emu: RenderEmulator;
const OWNER = "tea-abc123";

// Short delays keep hundreds of fault schedules fast; the logic is the same as in production.
const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, maxAttempts: 8, getsPerMinute: 0, writesPerMinute: 0 };
// Only the fault schedules inject slow answers (120 ms), so only they need a timeout below that;
// elsewhere a busy CI machine must not turn an ordinary answer into a timeout.
const SLOW_FAULT_TIMEOUT_MS = 80;
const provider = (timeoutMs = fast.timeoutMs) =>
  createServiceProvider({ client: { ...fast, timeoutMs, baseUrl: emu.url, apiKey: emu.apiKey }, pollIntervalMs: 1 });
const domainProvider = (timeoutMs = fast.timeoutMs) => createCustomDomainProvider({ client: { ...fast, timeoutMs, baseUrl: emu.url, apiKey: emu.apiKey } });

const base: ServiceInputs = webServiceInputs({
  ownerId: OWNER,
  name: "ott-dev-api",
  preDeployCommand: "npm run migrate",
  plan: "starter",
  region: "oregon",
  envVars: { DATABASE_URL: "postgres://u:p@h/db", NODE_ENV: "production" },
});

const writes = () => emu.requests.filter((r) => r.method !== "GET");
const calls = (method: string, re: RegExp) => emu.requests.filter((r) => r.method === method && re.test(r.path)).length;

beforeAll(async () => {
  emu = await startEmulator({ slowMs: 120 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset({ slowMs: 120 }));

describe("Service lifecycle against the emulator", () => {
  it("creates, reads back without drift, updates in Render's order with one deploy, and deletes", async () => {
    const p = provider();
    expect((await p.check!({}, base)).failures).toEqual([]);
    const created = await p.create(base);
    expect(created.id).toMatch(/^srv-/);
    expect(created.outs.url).toBe("https://ott-dev-api.onrender.com");
    expect(emu.envVarsOf(created.id)).toEqual(base.envVars);

    // Refresh: preDeployCommand moved, defaults filled; none of it is drift.
    emu.requests.length = 0;
    const read = await p.read!(created.id, created.outs);
    expect(read.id).toBe(created.id);
    expect(read.props.preDeployCommand).toBe("npm run migrate");
    expect(diffService(read.props, base).changes).toBe(false);
    expect(emu.requests.every((r) => r.method === "GET")).toBe(true);

    // A no-op update writes nothing.
    emu.requests.length = 0;
    await p.update!(created.id, read.props, base);
    expect(writes()).toEqual([]);

    const next: ServiceInputs = {
      ...base,
      plan: "standard",
      preDeployCommand: "npm run migrate:all",
      numInstances: 3,
      envVars: { NODE_ENV: "production", FEATURE: "on" },
    };
    expect(diffService(read.props, next)).toMatchObject({ changes: true, replaces: [] });
    emu.requests.length = 0;
    const updated = await p.update!(created.id, read.props, next);
    const order = writes().map((r) => `${r.method} ${r.path.replace(created.id, "{id}")}`);
    expect(order).toEqual([
      "POST /services/{id}/scale",
      "PATCH /services/{id}",
      "PUT /services/{id}/env-vars",
      "POST /services/{id}/deploys",
    ]);
    expect(JSON.parse(emu.requests.find((r) => r.method === "PATCH")!.body)).toEqual({
      serviceDetails: { plan: "standard", preDeployCommand: "npm run migrate:all" },
    });
    expect(emu.envVarsOf(created.id)).toEqual({ NODE_ENV: "production", FEATURE: "on" });
    expect(updated.outs.deployId).toMatch(/^dep-/);

    const reread = await p.read!(created.id, updated.outs);
    expect(diffService(reread.props, next).changes).toBe(false);
    expect(reread.props.numInstances).toBe(3);

    await p.delete!(created.id, reread.props);
    expect(emu.services.size).toBe(0);
    // Deleted already (out of band, or a retried delete): still success, and refresh reports it gone.
    await expect(p.delete!(created.id, reread.props)).resolves.toBeUndefined();
    expect(await p.read!(created.id, reread.props)).toEqual({});
  });

  it("under autoscaling ignores numInstances, and manages scaling and disks through their endpoints", async () => {
    const p = provider();
    const inputs: ServiceInputs = { ...base, autoscaling: { min: 2, max: 5, cpuPercent: 70 } };
    const { id, outs } = await p.create(inputs);
    expect(emu.listServices()[0].serviceDetails.autoscaling).toMatchObject({ enabled: true, min: 2, max: 5 });
    // Render still reports a manual count of 1; it is not drift while autoscaling.
    const read = await p.read!(id, outs);
    expect(diffService(read.props, inputs).changes).toBe(false);

    emu.requests.length = 0;
    const manual: ServiceInputs = { ...base, numInstances: 1, disk: { name: "data", mountPath: "/var/data", sizeGB: 5 } };
    const up = await p.update!(id, read.props, manual);
    expect(writes().map((r) => `${r.method} ${r.path.replace(id, "{id}")}`)).toEqual([
      "DELETE /services/{id}/autoscaling",
      "POST /services/{id}/scale",
      "POST /disks",
      "POST /services/{id}/deploys",
    ]);
    expect(emu.listServices()[0].serviceDetails.disk).toMatchObject({ sizeGB: 5, mountPath: "/var/data" });

    emu.requests.length = 0;
    await p.update!(id, up.outs, { ...manual, disk: { ...manual.disk!, sizeGB: 10 } });
    expect(writes().map((r) => r.method + " " + r.path.replace(/dsk-\w+/, "{disk}").replace(id, "{id}"))).toEqual([
      "PATCH /disks/{disk}",
      "POST /services/{id}/deploys",
    ]);
    expect(emu.listServices()[0].serviceDetails.disk.sizeGB).toBe(10);
  });

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

  it("waits for the deploy to go live when asked, and reports a failed pre-deploy clearly", async () => {
    const p = provider();
    const created = await p.create({ ...base, waitForLive: true });
    expect(calls("GET", /\/deploys\/dep-/)).toBeGreaterThanOrEqual(3);
    emu.options.deployOutcome = "pre_deploy_failed";
    await expect(p.update!(created.id, created.outs, { ...base, waitForLive: true, plan: "pro" })).rejects.toThrow(
      /ended in 'pre_deploy_failed': the pre-deploy command failed/,
    );
  });

  it("saves changes to a suspended service without failing on the deploy it cannot run", async () => {
    const p = provider();
    const { id, outs } = await p.create(base);
    emu.services.get(id)!.service.suspended = "suspended";
    const up = await p.update!(id, outs, { ...base, plan: "pro" });
    expect(emu.listServices()[0].serviceDetails.plan).toBe("pro");
    expect(up.outs.deployId).toBe(outs.deployId);
    expect(emu.deploysOf(id)).toHaveLength(1);
  });

  it("adopts a service whose create answer was lost instead of creating a duplicate", async () => {
    const p = provider();
    emu.inject({ kind: "lost", match: (m, path) => m === "POST" && path === "/services" });
    const { id } = await p.create(base);
    expect(emu.listServices().map((s) => s.id)).toEqual([id]);
    expect(calls("POST", /^\/services$/)).toBe(1);
    expect(emu.envVarsOf(id)).toEqual(base.envVars);
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

describe("fault schedules", () => {
  const kinds: FaultKind[] = ["429", "500", "503", "drop", "slow", "lost"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 14 });
  const next: ServiceInputs = { ...base, plan: "pro", envVars: { NODE_ENV: "production", X: "1" }, numInstances: 2 };

  /**
   * What `pulumi up` does, re-run by the user until it succeeds: a failed create leaves no state, so the
   * next run creates again; a failed update keeps the old state, so the next run updates from it.
   * Every failure must be a clear, retryable Render API error.
   */
  async function upUntilDone<T>(step: () => Promise<T>, failures: string[], faultCount: number): Promise<T> {
    for (;;) {
      try {
        return await step();
      } catch (err) {
        expect(err).toMatchObject({ name: "RenderApiError", retryable: true });
        expect((err as Error).message).toMatch(/^Render API (GET|POST|PATCH|PUT|DELETE) \/\S+ failed \((\d+|no response)\): .*gave up/);
        failures.push((err as Error).message);
        // Each failed run spends at least one planned fault, so re-running always ends.
        expect(failures.length).toBeLessThanOrEqual(faultCount);
      }
    }
  }

  async function runSchedule(faults: (FaultKind | undefined)[], withUpdate: boolean): Promise<string[]> {
    emu.reset({ slowMs: 120 });
    emu.schedule = faults;
    const p = provider(SLOW_FAULT_TIMEOUT_MS);
    const failures: string[] = [];
    const faultCount = faults.filter(Boolean).length;
    // The main service with its custom domain and a branch copy, as WebService makes them.
    const specs = [base, { ...base, name: `${base.name}-alice`, branch: "alice" }];
    const results: { id: string; outs: ServiceOutputs; want: ServiceInputs }[] = [];
    for (const spec of specs) {
      const created = await upUntilDone(() => p.create(spec), failures, faultCount);
      const want = withUpdate ? { ...next, name: spec.name, branch: spec.branch } : spec;
      const outs = withUpdate ? (await upUntilDone(() => p.update!(created.id, created.outs, want), failures, faultCount)).outs : created.outs;
      results.push({ id: created.id, outs, want });
    }
    const mainId = results[0]!.id;
    const d = domainProvider(SLOW_FAULT_TIMEOUT_MS);
    let domain = await upUntilDone(() => d.create({ serviceId: mainId, name: "example.com" }), failures, faultCount);
    const wantDomain = withUpdate ? "api.example.org" : "example.com";
    if (withUpdate) {
      // A new name replaces the domain, the old one deleted first.
      expect(diffCustomDomain(domain.outs, { serviceId: mainId, name: wantDomain })).toMatchObject({ replaces: ["name"], deleteBeforeReplace: true });
      await upUntilDone(() => d.delete!(domain.id, domain.outs), failures, faultCount);
      domain = await upUntilDone(() => d.create({ serviceId: mainId, name: wantDomain }), failures, faultCount);
    }
    emu.schedule = [];
    for (const { id, outs, want } of results) {
      const same = emu.listServices().filter((s) => s.name === want.name && s.ownerId === OWNER);
      expect(same.map((s) => s.id)).toEqual([id]);
      const read = await p.read!(id, outs);
      expect(diffService(read.props, want)).toMatchObject({ changes: false });
      expect(emu.envVarsOf(id)).toEqual(want.envVars);
    }
    expect(emu.services.size).toBe(specs.length);
    expect(emu.domainsOf(mainId).filter((x) => !x.redirectForName).map((x) => x.name)).toEqual([wantDomain]);
    expect((await d.read!(domain.id, domain.outs)).props).toMatchObject({ serviceId: mainId, name: wantDomain });
    return failures;
  }

  it("end with exactly one service and one domain per name, in the desired state, for 200 random schedules", async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.boolean(), async (faults, withUpdate) => {
        await runSchedule(faults, withUpdate);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
    // About 10 s here; CI machines have taken 2.5 times as long.
  }, 120_000);

  it("converge on the next run, without a duplicate, when one run exhausts its retries", async () => {
    // More 429s in a row than the client's 8 attempts: the first create gives up, the re-run adopts or creates once.
    const failures = await runSchedule(Array(9).fill("429"), false);
    expect(failures).toEqual([expect.stringMatching(/^Render API POST \/services failed \(429\): rate limit exceeded \(gave up after 8 attempts\)$/)]);
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
