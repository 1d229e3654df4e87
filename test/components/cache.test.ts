import { afterEach, describe, expect, it } from "vitest";
import { Cache } from "../../components/cache";
import { SharingError } from "../../components/shared-database";
import { fakeStackOutputs } from "../../synth/fake-outputs";
import { byType, one, settle, synthComponent } from "../harness";

const KEY_VALUE = "pulumi-nodejs:dynamic/render:KeyValue";
const OWN = { ownerId: "tea-abc123", name: "ott-test-cache" };

const added: string[] = [];
afterEach(() => {
  for (const p of added.splice(0)) delete fakeStackOutputs[p];
});
function ownerStack(ref: string, environment: string | undefined) {
  const pattern = `^${ref}$`;
  fakeStackOutputs[pattern] = () => ({
    outputs: { ...(environment ? { environment } : {}), cacheId: "red-live", cacheConnectionString: "redis://red-live:6379" },
    secretOutputNames: ["cacheConnectionString"],
  });
  added.push(pattern);
}

/** A refusal found in the owner's outputs fails every Output derived from them; Pulumi reports those as unhandled rejections. */
async function collectRejections(run: () => Promise<unknown>): Promise<{ result: unknown; rejections: string[] }> {
  const rejections: string[] = [];
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const listener = (reason: unknown) => void rejections.push(String(reason));
  process.on("unhandledRejection", listener);
  try {
    const result = await run().then(
      (v) => v,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 20));
    return { result, rejections };
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const l of saved) process.on("unhandledRejection", l);
  }
}

describe("Cache", () => {
  it("creates a Render Key Value with webstack's defaults and hands out its internal URL as a secret", async () => {
    let cache!: Cache;
    const m = await synthComponent(() => {
      cache = new Cache("cache", OWN);
      return { url: cache.connectionString };
    });
    const kv = one(m, KEY_VALUE);
    expect(kv.parent).toContain("webstack:index:Cache");
    expect(kv.inputs).toMatchObject({ ownerId: "tea-abc123", name: "ott-test-cache", plan: "free", region: "oregon", maxmemoryPolicy: "allkeys_lru", ipAllowList: [] });
    expect([kv.protect, kv.retainOnDelete]).toEqual([false, false]);
    expect(await settle(cache.connectionString)).toEqual({ value: "redis://red-fake-ott-test-cache:6379", secret: true });
    expect(await settle(cache.cacheId)).toEqual({ value: "cache-id", secret: false });
    expect(cache.keyPrefix).toBe("test:");
    expect(m.outputs.url).toBe("[secret]");
  });

  it("protects production's instance, lets a transform adjust it, and builds the external TLS URL when asked", async () => {
    let cache!: Cache;
    const m = await synthComponent(
      () => {
        cache = new Cache(
          "cache",
          { ...OWN, protect: true, connection: "external", ipAllowList: [{ cidrBlock: "203.0.113.0/24", description: "office" }] },
          { transform: { keyValue: (args) => ({ args: { ...args, plan: "pro" } }) } },
        );
      },
      { stack: "prod" },
    );
    const kv = one(m, KEY_VALUE);
    expect([kv.protect, kv.retainOnDelete, kv.inputs.plan]).toEqual([true, true, "pro"]);
    expect(await settle(cache.connectionString)).toEqual({
      value: "rediss://red-fake-ott-test-cache:fake-cache-password@oregon-keyvalue.render.com:6377",
      secret: true,
    });
    expect(cache.keyPrefix).toBe("prod:");
  });

  it("refuses bad args by name before registering anything", async () => {
    const cases: [ConstructorParameters<typeof Cache>[1], RegExp][] = [
      [{ ...OWN, connection: "external" }, /^Cache 'cache': connection 'external' needs ipAllowList/],
      [{ ownerId: "tea-abc123", name: "Bad Name" }, /^Cache 'cache': name must be lower-case/],
      [{ from: "acme/webstack/staging", plan: "starter" }, /^Cache 'cache': plan belongs to the owner stack's cache/],
      [{ from: "staging" }, /^Cache 'cache': from must be '<org>\/<project>\/<stack>'/],
      [{ ...OWN, keyPrefix: "has space:" }, /^Cache 'cache': keyPrefix must be 1 to 64 characters without spaces/],
    ];
    for (const [args, error] of cases) {
      const m = await synthComponent(() => {
        expect(() => new Cache("cache", args)).toThrow(error);
      });
      expect(byType(m, "webstack:index:Cache")).toEqual([]);
    }
  });
});

describe("Cache shared from another stack", () => {
  it("reads the owner's URL through a StackReference and keys under its own stack's prefix", async () => {
    let cache!: Cache;
    const m = await synthComponent(() => void (cache = new Cache("cache", { from: "acme/webstack/staging" })), { stack: "pr-42" });
    expect(byType(m, KEY_VALUE)).toEqual([]);
    const ref = one(m, "pulumi:pulumi:StackReference");
    expect([ref.name, ref.inputs.name]).toEqual(["cache-owner", "acme/webstack/staging"]);
    expect(await settle(cache.connectionString)).toEqual({ value: "redis://red-fake-ott-staging-cache:6379", secret: true });
    expect((await settle(cache.cacheId)).value).toBe("red-fake-ott-staging-cache");
    expect(cache.keyPrefix).toBe("pr-42:");
  });

  it("refuses a production owner, by stack name before registering, by exported environment when it runs", async () => {
    const m = await synthComponent(() => {
      expect(() => new Cache("cache", { from: "acme/webstack/prod" })).toThrow(
        /^Refusing to share the cache of acme\/webstack\/prod: its stack name says production\..*webstack:cache\.allowProductionData: true/,
      );
    });
    expect(byType(m, "pulumi:pulumi:StackReference")).toEqual([]);

    ownerStack("acme/webstack/live", "production");
    ownerStack("acme/webstack/legacy", undefined);
    for (const [from, why] of [
      ["acme/webstack/live", "its environment is production"],
      ["acme/webstack/legacy", "it exports no 'environment' output"],
    ]) {
      let cache!: Cache;
      const { result, rejections } = await collectRejections(() => synthComponent(() => ({ url: (cache = new Cache("cache", { from })).connectionString }), { stack: "dev" }));
      expect(String(result)).toContain(`Refusing to share the cache of ${from}: ${why}`);
      // ready() rejects with the same one-line error, so index.ts can stop before anything uses the cache.
      const refusal = await cache.ready().catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(SharingError);
      expect((refusal as Error).message).not.toContain("\n");
      // The refusal never carries the secret it withholds.
      for (const r of [String(result), ...rejections]) expect(r).not.toContain("red-live:6379");
    }
    // With the opt-in it reads the owner.
    let opted!: Cache;
    await synthComponent(() => void (opted = new Cache("cache", { from: "acme/webstack/live", allowProductionData: true })), { stack: "dev" });
    expect((await settle(opted.connectionString)).value).toBe("redis://red-live:6379");
  });
});
