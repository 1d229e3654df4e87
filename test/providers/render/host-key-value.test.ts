/**
 * Render Key Value through the SDK's real dynamic-provider host, over gRPC, against the emulator:
 * the lifecycle `pulumi preview`, `up`, `refresh` and `destroy` drive, what a half-failed run leaves,
 * and random fault schedules. One host and one emulator for the file.
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyValueInputs } from "../../../providers/render/key-value";
import { providerSource } from "../../../providers/render/provider-source";
import { CheckFailed, Engine } from "../../engine/engine";
import { upUntilDone } from "../../engine/up-until-done";
import { HostError, type ProviderHost, ResourceInitFailed, UNKNOWN, undefinedPaths } from "../../engine/provider-host";
import { startRenderHost } from "../../engine/render-host";
import { type FaultKind, type RenderEmulator, startEmulator } from "./emulator";

const OWNER = "tea-abc123";
// Slow answers (100 ms) outlast the client's timeout (80 ms), so they count as no answer.
const SLOW_MS = 100;
let emu: RenderEmulator;
let host: ProviderHost;
let engine: Engine;

const base: KeyValueInputs = { ownerId: OWNER, name: "ott-prod-cache", plan: "starter", region: "frankfurt", maxmemoryPolicy: "allkeys_lru", ipAllowList: [] };
const writes = () => emu.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/(red|evm|prj)-[\w-]+/g, "{$1}")}`);
const instances = () => emu.keyValues.list();

beforeAll(async () => {
  emu = await startEmulator({ slowMs: SLOW_MS });
  host = await startRenderHost(emu, { RENDER_API_TIMEOUT_MS: "80", RENDER_API_MAX_ATTEMPTS: "4" });
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});
beforeEach(() => {
  emu.reset({ slowMs: SLOW_MS });
  engine = new Engine(host);
});

describe("Key Value through the provider host", () => {
  it("create waits for available; refresh is 2 GETs and shows no drift; updates PATCH only what changed; delete", async () => {
    const created = await engine.up("keyValue", "cache", base);
    const { id, outputs } = created.state!;
    expect(id).toMatch(/^red-/);
    expect(undefinedPaths(outputs)).toEqual([]);
    expect(outputs).toMatchObject({
      status: "available",
      version: "8.1.4",
      internalHost: id,
      internalPort: 6379,
      host: "frankfurt-keyvalue.render.com",
      port: 6377,
      username: id,
      password: expect.stringMatching(/^kvPass/),
      internalConnectionString: `redis://${id}:6379`,
      externalConnectionString: expect.stringMatching(/^rediss:\/\/red-/),
      ipAllowList: [],
      maxmemoryPolicy: "allkeys_lru",
    });
    expect(outputs.__provider).toBe(providerSource("keyValue"));
    expect(writes()).toEqual(["POST /key-value"]);

    // Render reads an empty allow list back as null: not drift.
    emu.requests.length = 0;
    await engine.refresh(created.state!.urn);
    expect(emu.requests.map((r) => `${r.method} ${r.path.replace(id, "{id}")}`)).toEqual(["GET /key-value/{id}", "GET /key-value/{id}/connection-info"]);
    expect(engine.get("keyValue", "cache").outputs.ipAllowList).toEqual([]);
    expect((await engine.up("keyValue", "cache", base)).op).toBe("same");

    const next = { ...base, plan: "standard", maxmemoryPolicy: "noeviction", ipAllowList: [{ cidrBlock: "203.0.113.0/24", description: "office" }] };
    emu.requests.length = 0;
    expect((await engine.up("keyValue", "cache", next)).op).toBe("update");
    expect(emu.requests.filter((r) => r.method !== "GET").map((r) => r.body)).toEqual([
      JSON.stringify({ plan: "standard", maxmemoryPolicy: "noeviction", ipAllowList: next.ipAllowList }),
    ]);
    expect(emu.keyValues.get(id)).toMatchObject({ plan: "standard", status: "creating", options: { maxmemoryPolicy: "noeviction" } });
    await engine.refresh(created.state!.urn);
    expect((await engine.up("keyValue", "cache", next)).op).toBe("same");

    // Clearing the allow list sends [] (Render keeps a missing field as it was).
    emu.requests.length = 0;
    await engine.up("keyValue", "cache", { ...next, ipAllowList: [], name: "ott-prod-redis" });
    expect(emu.requests.filter((r) => r.method === "PATCH").map((r) => JSON.parse(r.body))).toEqual([{ name: "ott-prod-redis", ipAllowList: [] }]);
    await engine.refresh(created.state!.urn);
    expect((await engine.up("keyValue", "cache", { ...next, ipAllowList: [], name: "ott-prod-redis" })).op).toBe("same");

    await engine.delete(created.state!.urn);
    expect(instances()).toEqual([]);
  });

  it("moves between project environments, and reads as gone once deleted outside Pulumi", async () => {
    const project = await engine.up("project", "p", { ownerId: OWNER, name: "ott", environments: [{ name: "prod" }, { name: "staging" }] });
    const envs = project.state!.outputs.environmentIds;
    const { state } = await engine.up("keyValue", "cache", { ...base, environmentId: envs.prod });
    expect(emu.projects.environments.get(envs.prod).redisIds).toEqual([state!.id]);
    emu.requests.length = 0;
    await engine.up("keyValue", "cache", { ...base, environmentId: envs.staging });
    expect(writes()).toEqual(["DELETE /environments/{evm}/resources", "POST /environments/{evm}/resources"]);
    expect(emu.projects.environments.get(envs.staging).redisIds).toEqual([state!.id]);
    await engine.refresh(state!.urn);
    expect((await engine.up("keyValue", "cache", { ...base, environmentId: envs.staging })).op).toBe("same");

    emu.keyValues.items.delete(state!.id);
    expect(await engine.refresh(state!.urn)).toBeUndefined();
  });

  it("replaces on a new region, deleting first because the name stays", async () => {
    const { state } = await engine.up("keyValue", "cache", base);
    const moved = await engine.up("keyValue", "cache", { ...base, region: "virginia" });
    expect(moved.op).toBe("replace");
    expect(engine.steps.map((s) => s.op)).toEqual(["create", "delete", "create"]);
    expect(instances().map((k) => [k.region, k.id === state!.id])).toEqual([["virginia", false]]);
  });
});

describe("bad input and refusals", () => {
  it("check names each key before any Render call: policy spelling, allow list, plan going down", async () => {
    const err = await engine
      .up("keyValue", "cache", { ...base, maxmemoryPolicy: "allkeys-lru", ipAllowList: [{ cidrBlock: "10.0.0.0/33", description: "" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    expect(err.failures).toEqual([
      { property: "maxmemoryPolicy", reason: "maxmemoryPolicy 'allkeys-lru': the API spells it 'allkeys_lru' (Blueprints use hyphens)" },
      { property: "ipAllowList", reason: "ipAllowList[0].cidrBlock must be an IPv4 CIDR block such as '203.0.113.0/24'" },
      { property: "ipAllowList", reason: "ipAllowList[0].description is required" },
    ]);
    expect(emu.requests).toEqual([]);

    await engine.up("keyValue", "cache", { ...base, plan: "standard" });
    emu.requests.length = 0;
    const down = await engine.up("keyValue", "cache", { ...base, plan: "starter" }).catch((e) => e);
    expect(down.failures).toEqual([{ property: "plan", reason: "plan cannot go down from 'standard' to 'starter': Render Key Value plans only go up (create a new instance instead)" }]);
    expect(emu.requests).toEqual([]);
    // Upgraded outside Pulumi (seen by refresh): going back down is refused at diff, before any write.
    emu.keyValues.list()[0].plan = "pro";
    await engine.refresh(engine.get("keyValue", "cache").urn);
    emu.requests.length = 0;
    await expect(engine.up("keyValue", "cache", { ...base, plan: "standard" })).rejects.toThrow(
      /^Render Key Value 'ott-prod-cache': plan cannot go down from 'pro' to 'standard'/,
    );
    expect(writes()).toEqual([]);
  });

  it("a plan Render refuses reaches the user as one line with the key and Render's message, and creates nothing", async () => {
    const custom = await engine.up("keyValue", "cache", { ...base, plan: "custom_huge" }).catch((e) => e);
    expect(custom).toBeInstanceOf(HostError);
    expect(custom.message).toBe(
      "Render Key Value 'ott-prod-cache': plan: Render refused 'custom_huge': Render API POST /key-value failed (400): invalid plan 'custom_huge' for Key Value",
    );
    emu.options.paymentRequired = true;
    const paid = await engine.up("keyValue", "cache", base).catch((e) => e);
    expect(paid.message).toBe(
      "Render Key Value 'ott-prod-cache': plan: Render refused 'starter': Render API POST /key-value failed (402): payment information is required for paid plans; add a card to the workspace",
    );
    expect(instances()).toEqual([]);
    // On an upgrade the refusal comes from the PATCH, and the recorded state keeps the old plan.
    await engine.up("keyValue", "cache", { ...base, plan: "free" });
    await expect(engine.up("keyValue", "cache", { ...base, plan: "starter" })).rejects.toThrow(
      "Render Key Value 'ott-prod-cache': plan: Render refused 'starter': Render API PATCH /key-value/",
    );
    expect(engine.get("keyValue", "cache").outputs.plan).toBe("free");
  });
});

describe("no duplicates and no orphans", () => {
  for (const unique of [undefined, 400, 409] as const) {
    it(`an earlier run's instance is found by name and brought to the desired state (duplicate names: ${unique ?? "allowed"})`, async () => {
      emu.options.uniqueKeyValueNames = unique;
      const earlier = await new Engine(host).up("keyValue", "cache", { ...base, plan: "free" });
      emu.requests.length = 0;
      const adopted = await engine.up("keyValue", "cache", base);
      expect(adopted.state!.id).toBe(earlier.state!.id);
      expect(writes()).toEqual(["PATCH /key-value/{red}"]);
      expect(instances().map((k) => k.plan)).toEqual(["starter"]);
    });
  }

  it("a lost create answer is found, not posted again", async () => {
    emu.inject({ kind: "lost", match: (m, p) => m === "POST" && p === "/key-value" });
    const { state } = await engine.up("keyValue", "cache", base);
    expect(instances().map((k) => k.id)).toEqual([state!.id]);
    expect(writes()).toEqual(["POST /key-value"]);
  });

  it("a connection-info read that fails after create is recorded with the id; the next up completes it", async () => {
    emu.inject(...Array(4).fill({ kind: "500", match: (m: string, p: string) => m === "GET" && p.endsWith("/connection-info") }));
    const err = await engine.up("keyValue", "cache", base).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    expect(err.message).toMatch(/^Render Key Value 'ott-prod-cache' red-\S+ exists, but Render API GET \/key-value\/red-\S+\/connection-info failed \(500\)/);
    expect(err.message).not.toContain("\n");
    expect(engine.get("keyValue", "cache")).toMatchObject({ id: err.id, initErrors: [expect.stringContaining("connection-info")] });
    emu.requests.length = 0;
    const next = await engine.up("keyValue", "cache", base);
    expect(next.op).toBe("update");
    expect(writes()).toEqual([]);
    expect(next.state!.outputs.internalConnectionString).toBe(`redis://${err.id}:6379`);
    expect(instances()).toHaveLength(1);
    expect((await engine.up("keyValue", "cache", base)).op).toBe("same");
  });
});

describe("preview and provider upgrades", () => {
  it("a new instance with unknown inputs previews as a create; an unknown region on an existing one as a replace; no Render call", async () => {
    expect((await engine.up("keyValue", "c", { ...base, ownerId: UNKNOWN, environmentId: UNKNOWN }, { preview: true })).op).toBe("create");
    expect(emu.requests).toEqual([]);
    await engine.up("keyValue", "cache", base);
    emu.requests.length = 0;
    expect((await engine.up("keyValue", "cache", { ...base, region: UNKNOWN }, { preview: true })).op).toBe("replace");
    expect((await engine.up("keyValue", "cache", { ...base, plan: UNKNOWN }, { preview: true })).op).toBe("update");
    expect(emu.requests).toEqual([]);
  });

  it("new provider code reaches an existing instance through an update with no Render call", async () => {
    const old = new Engine(host, { keyValue: `${providerSource("keyValue")}\n// an older release` });
    const before = await old.up("keyValue", "cache", base);
    const current = new Engine(host);
    for (const [urn, s] of old.state) current.state.set(urn, s);
    emu.requests.length = 0;
    expect((await current.up("keyValue", "cache", base)).op).toBe("update");
    expect(emu.requests).toEqual([]);
    expect(current.get("keyValue", "cache").outputs).toEqual({ ...before.state!.outputs, __provider: providerSource("keyValue") });
    expect((await current.up("keyValue", "cache", base)).op).toBe("same");
  });
});

/** What each failed `pulumi up` on the way must read like: one line naming the resource and the call. */
const FAILURE = /^Render Key Value '[^']+'(: | red-\S+ exists, but )Render API (GET|POST|PATCH|DELETE) \/\S+ failed \((\d+|no response)\): /;

describe("fault schedules", () => {
  const kinds: FaultKind[] = ["429", "500", "503", "drop", "slow", "lost"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 10 });

  it("end with exactly one instance, in the desired state, for 50 random schedules", async () => {
    const next = { ...base, plan: "standard", ipAllowList: [{ cidrBlock: "198.51.100.7/32", description: "ci" }] };
    await fc.assert(
      fc.asyncProperty(schedule, fc.boolean(), async (faults, withUpdate) => {
        emu.reset({ slowMs: SLOW_MS });
        emu.schedule = faults;
        const e = new Engine(host);
        const failures: string[] = [];
        const count = faults.filter(Boolean).length;
        await upUntilDone(() => e.up("keyValue", "cache", base), failures, count, FAILURE);
        if (withUpdate) await upUntilDone(() => e.up("keyValue", "cache", next), failures, count, FAILURE);
        emu.schedule = [];
        const want = withUpdate ? next : base;
        const s = e.get("keyValue", "cache");
        expect(instances().map((k) => k.id)).toEqual([s.id]);
        expect(instances()[0]).toMatchObject({ plan: want.plan, ipAllowList: want.ipAllowList });
        // Another up finds nothing left to do (no refresh first: the faults are over and the instance is checked above).
        expect((await e.up("keyValue", "cache", want)).op).toBe("same");
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 50), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
  }, 120_000);
});
