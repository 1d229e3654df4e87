import { describe, expect, it } from "vitest";
import { cacheArgs } from "../../config/cache";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const stack = (name: string) => rawSections(readStackFile(ROOT, name).config) as Record<string, any>;

function errorsFor(raw: Record<string, unknown>): string[] {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
}

describe("webstack:cache", () => {
  it("names the key for an unknown plan, suggesting the closest, and for a plan the estimate cannot price", () => {
    const raw = stack("prod");
    raw.cache.plan = "startr";
    expect(errorsFor(raw)).toEqual([
      "webstack:cache.plan: unknown Render Key Value plan 'startr'; did you mean 'starter'? (expected 'free' | 'starter' | 'standard' | 'pro' | 'pro_plus', or a custom plan 'custom…')",
    ]);
    // Known to Render, but never a silent $0 in the estimate.
    for (const p of ["standard", "Custom-8gb"]) {
      raw.cache.plan = p;
      expect(errorsFor(raw)).toEqual([`webstack:cache.plan: '${p}' has no price in cost/prices.ts (priced: free, starter); add it there with its source, or choose a priced plan`]);
    }
  });

  it("names the key for a bad eviction policy, and says how the API spells a Blueprint one", () => {
    const raw = stack("prod");
    raw.cache.maxmemoryPolicy = "allkeys-lru";
    expect(errorsFor(raw)).toEqual(["webstack:cache.maxmemoryPolicy: Render's API spells it 'allkeys_lru' (underscores; Blueprints use hyphens)"]);
    raw.cache.maxmemoryPolicy = "noevicton";
    expect(errorsFor(raw)).toEqual([
      expect.stringMatching(/^webstack:cache\.maxmemoryPolicy: unknown eviction policy 'noevicton'; did you mean 'noeviction'\? \(expected 'noeviction' \| /),
    ]);
  });

  it("needs 'from' to share, refuses a production owner without the opt-in, and keeps production on its own cache", () => {
    const raw = stack("dev");
    raw.cache = { mode: "shared" };
    expect(errorsFor(raw)).toEqual(["webstack:cache.from: missing required key (expected string)"]);
    raw.cache = { mode: "shared", from: "acme/webstack/prod" };
    expect(errorsFor(raw)).toEqual([
      "webstack:cache.allowProductionData: acme/webstack/prod is a production stack: set it to true to share production data on purpose",
    ]);
    raw.cache.allowProductionData = true;
    expect(errorsFor(raw)).toEqual([]);

    const prod = stack("prod");
    prod.cache = { mode: "shared", from: "acme/webstack/staging" };
    expect(errorsFor(prod)).toEqual(["webstack:cache.mode: production stacks own their cache: use 'own'"]);
  });

  it("suggests the key for a typo, and refuses owner settings on a shared cache", () => {
    const raw = stack("staging");
    raw.cache.maxmemorypolicy = "noeviction";
    expect(errorsFor(raw)).toEqual(["webstack:cache.maxmemorypolicy: unknown key; did you mean 'maxmemoryPolicy'?"]);
    const dev = stack("dev");
    dev.cache.plan = "starter";
    expect(errorsFor(dev)).toEqual(["webstack:cache.plan: belongs to mode 'own', not 'shared'; remove it, or set webstack:cache.mode: own"]);
  });

  it("refuses a region the backend cannot reach, unless the allow list lets it in over TLS", () => {
    const raw = stack("staging");
    raw.cache.region = "oregon";
    expect(errorsFor(raw)).toEqual([expect.stringMatching(/^webstack:cache\.region: 'oregon' is not the backend's region \(frankfurt\)/)]);
    raw.cache.ipAllowList = [{ cidrBlock: "198.51.100.0/24", description: "frankfurt egress" }];
    expect(errorsFor(raw)).toEqual([]);
    const ok = validateStackConfig(raw);
    expect(ok.ok && cacheArgs(ok.config, "staging")).toMatchObject({ region: "oregon", connection: "external" });
  });

  it("defaults: free plan, allkeys_lru, the backend's region, internal connection, protected only in production", () => {
    const staging = validateStackConfig(stack("staging"));
    expect(staging.ok && cacheArgs(staging.config, "staging")).toEqual({
      ownerId: "tea-cs1ott7acme2prod4x0",
      name: "ott-staging-cache",
      plan: "free",
      region: "frankfurt",
      maxmemoryPolicy: "allkeys_lru",
      ipAllowList: [],
      connection: "internal",
      protect: false,
    });
    const prod = validateStackConfig(stack("prod"));
    expect(prod.ok && cacheArgs(prod.config, "prod")).toMatchObject({ plan: "starter", protect: true });
    const dev = validateStackConfig(stack("dev"));
    expect(dev.ok && cacheArgs(dev.config, "dev")).toEqual({ from: "acme/webstack/staging", allowProductionData: false });
  });

  it("claims REDIS_URL and CACHE_KEY_PREFIX, so webstack:env cannot set them too", () => {
    const raw = stack("staging");
    raw.env.backend.REDIS_URL = "redis://localhost:6379";
    expect(errorsFor(raw)).toEqual(["webstack:env.backend.REDIS_URL: set by webstack from webstack:cache; remove it here"]);
  });
});
