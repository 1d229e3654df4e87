import { z } from "zod";
import type { CacheArgs } from "../components/cache";
import { PRICES } from "../cost/prices";
import { KEY_VALUE_PLANS, MAXMEMORY_POLICIES } from "../providers/render/key-value";
import { renderRegions } from "./backend";
import { allowProductionData, oneOf, productionSharingGuard, stackRef } from "./common";
import { suggest } from "./issues";
import { cloudName } from "./naming";

const quote = (values: readonly string[]) => values.map((v) => `'${v}'`).join(" | ");

/**
 * A plan Render knows (a name starting with 'custom' stands for an account's custom plan, which
 * Render resolves itself), and one the estimate can price: never a silent $0.
 */
const plan = z.string().superRefine((p, ctx) => {
  if (!(KEY_VALUE_PLANS as readonly string[]).includes(p) && !/^custom/i.test(p)) {
    const hint = suggest(p, KEY_VALUE_PLANS);
    ctx.addIssue({
      code: "custom",
      message: `unknown Render Key Value plan '${p}'${hint ? `; did you mean '${hint}'?` : ""} (expected ${quote(KEY_VALUE_PLANS)}, or a custom plan 'custom…')`,
    });
  } else if (!Object.hasOwn(PRICES.render.keyValue, p)) {
    ctx.addIssue({
      code: "custom",
      message: `'${p}' has no price in cost/prices.ts (priced: ${Object.keys(PRICES.render.keyValue).join(", ")}); add it there with its source, or choose a priced plan`,
    });
  }
});

const policy = z.string().superRefine((p, ctx) => {
  if ((MAXMEMORY_POLICIES as readonly string[]).includes(p)) return;
  const underscored = p.replace(/-/g, "_");
  if ((MAXMEMORY_POLICIES as readonly string[]).includes(underscored)) {
    ctx.addIssue({ code: "custom", message: `Render's API spells it '${underscored}' (underscores; Blueprints use hyphens)` });
    return;
  }
  const hint = suggest(p, MAXMEMORY_POLICIES);
  ctx.addIssue({ code: "custom", message: `unknown eviction policy '${p}'${hint ? `; did you mean '${hint}'?` : ""} (expected ${quote(MAXMEMORY_POLICIES)})` });
});

const allowEntry = z
  .object({
    cidrBlock: z
      .string()
      .regex(/^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/, "expected an IPv4 CIDR block such as '203.0.113.0/24'")
      .describe("IPv4 block allowed in."),
    description: z.string().min(1).describe("Who that is, shown in Render's dashboard."),
  })
  .strict();

const own = z
  .object({
    mode: z.literal("own").describe("'own': this stack's instance; 'shared': another stack's, under this stack's key prefix."),
    plan: plan
      .default("free")
      .describe("Render Key Value plan: free (25 MB, no persistence), starter, standard, pro, pro_plus; it must have a price in cost/prices.ts. Plans only go up."),
    region: oneOf(renderRegions).optional().describe("Render region; defaults to the backend's, whose private network reaches it."),
    maxmemoryPolicy: policy
      .default("allkeys_lru")
      .describe("Eviction policy in the API's spelling, e.g. 'allkeys_lru' for a cache, 'noeviction' for queues."),
    ipAllowList: z
      .array(allowEntry)
      .default([])
      .describe("Addresses allowed from outside Render, e.g. [{cidrBlock: 203.0.113.0/24, description: office}]; empty: internal only."),
  })
  .strict();

const shared = z
  .object({
    mode: z.literal("shared"),
    from: stackRef.describe("Owner stack of the cache, e.g. 'acme/webstack/staging'; this stack keys under '<stack>:'."),
    allowProductionData,
  })
  .strict()
  .superRefine(productionSharingGuard);

export const cacheSchema = z
  .discriminatedUnion("mode", [own, shared], {
    error: (iss) => (iss.code === "invalid_union" ? "expected 'own' | 'shared'" : undefined),
  })
  .describe("Redis-compatible cache (Render Key Value) as REDIS_URL: 'own' instance, or 'shared' from another stack.");

export type CacheConfig = z.infer<typeof cacheSchema>;

interface CacheSections {
  environment?: string;
  app?: { name: string; renderOwnerId: string };
  backend?: { region: string };
  cache?: CacheConfig;
}

/** Rules between `cache` and the sections it depends on. */
export function cacheCrossIssues(c: CacheSections): { path: (string | number)[]; message: string }[] {
  const k = c.cache;
  if (!k) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (!c.backend) issues.push({ path: ["cache"], message: "needs webstack:backend, the service that uses it" });
  if (c.environment === "production" && k.mode === "shared") issues.push({ path: ["cache", "mode"], message: "production stacks own their cache: use 'own'" });
  if (k.mode === "own" && k.region && c.backend && k.region !== c.backend.region && k.ipAllowList.length === 0) {
    issues.push({
      path: ["cache", "region"],
      message:
        `'${k.region}' is not the backend's region (${c.backend.region}): Render's private network ends at the region, so the backend could not connect. ` +
        "Leave it out, or list the backend's outbound addresses in ipAllowList (it then connects over TLS)",
    });
  }
  return issues;
}

/** The `Cache` args for a valid config (without the Render environment, which index.ts creates). Pure. */
export function cacheArgs(c: Required<Pick<CacheSections, "app">> & CacheSections, stack: string): CacheArgs | undefined {
  const k = c.cache;
  if (!k) return undefined;
  if (k.mode === "shared") return { from: k.from, allowProductionData: k.allowProductionData };
  const region = k.region ?? c.backend?.region ?? "oregon";
  return {
    ownerId: c.app.renderOwnerId,
    name: cloudName(c.app.name, stack, "cache"),
    plan: k.plan,
    region,
    maxmemoryPolicy: k.maxmemoryPolicy,
    ipAllowList: k.ipAllowList,
    // Across regions only the external (TLS, allow-listed) endpoint reaches it.
    connection: c.backend && region !== c.backend.region ? "external" : "internal",
    protect: c.environment === "production",
  };
}
