import * as pulumi from "@pulumi/pulumi";
import type { IpAllowEntry } from "../providers/render/key-value";
import { RenderKeyValue, type RenderKeyValueArgs } from "../providers/render/key-value-resource";
import { parseRedisUrl } from "../providers/render/redis-url";
import { CACHE_STACK_OUTPUTS } from "./cache-outputs";
import { redisUrl } from "./connection-string";
import { isProductionStackName } from "./database-outputs";
import { SharingError } from "./shared-database";
import { applyTransform, type ResourceTransform } from "./transform";

export type { IpAllowEntry } from "../providers/render/key-value";
export { CACHE_STACK_OUTPUTS } from "./cache-outputs";

/** Which of Render's endpoints `REDIS_URL` points at. */
export const CacheConnection = { internal: "internal", external: "external" } as const;
export type CacheConnection = (typeof CacheConnection)[keyof typeof CacheConnection];

export interface CacheArgs {
  /**
   * Read another stack's cache instead of creating one (fully qualified). This stack gets the
   * owner's `REDIS_URL` and its own `keyPrefix`. @example "acme/webstack/staging"
   */
  from?: string;
  /** With `from`: share from a production owner stack, a conscious opt-in to production data. */
  allowProductionData?: boolean;
  /** Render workspace that owns the instance (not with `from`). @example "tea-cs1a2b3c4d5e6f7g8h9i" */
  ownerId?: pulumi.Input<string>;
  /** Render Key Value name, unique in the workspace (not with `from`). @example "ott-prod-cache" */
  name?: string;
  /**
   * Render plan, default `free` (no persistence; 25 MB). Plans only go up, and leaving `free`
   * empties the instance. @example "starter"
   */
  plan?: pulumi.Input<string>;
  /** Render region, default `oregon`; put it next to the backend. Changing it replaces the instance. @example "frankfurt" */
  region?: pulumi.Input<string>;
  /** Eviction policy in the API's spelling, default `allkeys_lru`; queues want `noeviction`. @example "noeviction" */
  maxmemoryPolicy?: pulumi.Input<string>;
  /**
   * Addresses allowed to connect from outside Render's private network; empty (the default)
   * means internal connections only. @example [{ cidrBlock: "203.0.113.0/24", description: "office" }]
   */
  ipAllowList?: IpAllowEntry[];
  /** Render project environment (`evm-…`) for the instance. @example renderEnvironment.id */
  environmentId?: pulumi.Input<string>;
  /**
   * `internal` (default): the private-network URL, for Render services in the same region.
   * `external`: the TLS URL with the instance's user and password, for clients elsewhere (their
   * addresses must be in `ipAllowList`).
   */
  connection?: CacheConnection;
  /**
   * Prefix for every key this stack writes, so stacks sharing one instance never collide; `<stack>:`
   * by default (`pr-42:` for a pull-request stack). @example "dev:"
   */
  keyPrefix?: string;
  /** Protect the instance and keep it if removed from the program (production). */
  protect?: boolean;
}

export interface CacheOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    /** The Render Key Value instance. */
    keyValue?: ResourceTransform<RenderKeyValueArgs>;
    /** The StackReference to the owner stack, with `from`. */
    reference?: ResourceTransform<pulumi.StackReferenceArgs>;
  };
}

const ALLOW_KEY = "webstack:cache.allowProductionData";

/** Each Cache's check of its owner, kept off the instance (the multi-language schema maps instance properties to outputs). */
const readiness = new WeakMap<Cache, Promise<void>>();

function refuse(from: string, why: string): SharingError {
  return new SharingError(
    `Refusing to share the cache of ${from}: ${why}. This stack would read and overwrite production's cached data. ` +
      `If that is intended, set ${ALLOW_KEY}: true (Cache arg allowProductionData).`,
  );
}

function validate(name: string, args: CacheArgs, keyPrefix: string): void {
  const fail = (key: string, message: string): never => {
    throw new Error(`Cache '${name}': ${key} ${message}`);
  };
  if (!/^[^\s]{1,64}$/.test(keyPrefix)) fail("keyPrefix", "must be 1 to 64 characters without spaces");
  if (args.connection !== undefined && !Object.values(CacheConnection).includes(args.connection)) fail("connection", "must be 'internal' or 'external'");
  if (args.from !== undefined) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(args.from)) fail("from", `must be '<org>/<project>/<stack>', got '${args.from}'`);
    for (const k of ["ownerId", "name", "plan", "region", "maxmemoryPolicy", "ipAllowList", "environmentId", "connection"] as const) {
      if (args[k] !== undefined) fail(k, "belongs to the owner stack's cache; remove it here (with 'from' this stack reads that cache)");
    }
    if (isProductionStackName(args.from) && !args.allowProductionData) throw refuse(args.from, "its stack name says production");
    return;
  }
  if (args.ownerId === undefined) fail("ownerId", "is required (or 'from', to read another stack's cache)");
  if (typeof args.name !== "string" || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(args.name)) fail("name", "must be lower-case letters, digits and '-'");
  if (args.connection === "external" && !(args.ipAllowList ?? []).length) {
    fail("connection", "'external' needs ipAllowList: with an empty list Render accepts internal connections only");
  }
}

/**
 * A Redis-compatible cache for one stack: its own Render Key Value instance, or another stack's
 * read through a StackReference (`from`), like `SharedDatabase`. `connectionString` is the
 * `REDIS_URL` to hand the backend (secret); `keyPrefix` keeps stacks that share an instance apart.
 */
export class Cache extends pulumi.ComponentResource {
  /** Render id of the instance (`red-…`), the owner's with `from`. */
  public readonly cacheId: pulumi.Output<string>;
  /** `REDIS_URL`, percent-encoded (secret). */
  public readonly connectionString: pulumi.Output<string>;
  /** Prefix for this stack's keys, e.g. `dev:`. */
  public readonly keyPrefix: string;

  constructor(name: string, args: CacheArgs, opts: CacheOptions = {}) {
    // Everything is checked before the component registers, so bad input registers nothing.
    const keyPrefix = args.keyPrefix ?? `${pulumi.getStack()}:`;
    validate(name, args, keyPrefix);
    const { transform, ...componentOpts } = opts;
    super("webstack:index:Cache", name, {}, componentOpts);

    if (args.from !== undefined) {
      const from = args.from;
      const allow = args.allowProductionData === true;
      const [refArgs, refOpts] = applyTransform(transform?.reference, { name: from } as pulumi.StackReferenceArgs, { parent: this });
      const ref = new pulumi.StackReference(`${name}-owner`, refArgs, refOpts);
      const value = (d: pulumi.StackReferenceOutputDetails) => d.value ?? d.secretValue;
      // Read as plain promises, so a refusal can stop the program (ready()) before anything uses the cache.
      const checked: Promise<{ id: string; url: string }> = Promise.all(
        [CACHE_STACK_OUTPUTS.environment, CACHE_STACK_OUTPUTS.id, CACHE_STACK_OUTPUTS.connectionString].map((o) => ref.getOutputDetails(o)),
      ).then(([env, id, url]) => {
        // The owner declares what it is; a missing declaration counts as production.
        const environment = value(env!);
        if (!allow && environment === "production") throw refuse(from, "its environment is production");
        if (!allow && (environment === undefined || environment === null)) {
          throw refuse(from, `it exports no '${CACHE_STACK_OUTPUTS.environment}' output, so it may hold production data`);
        }
        for (const [output, d] of [[CACHE_STACK_OUTPUTS.id, id!], [CACHE_STACK_OUTPUTS.connectionString, url!]] as const) {
          const v = value(d);
          if (typeof v !== "string" || !v) {
            throw new SharingError(`${from} exports no '${output}': give it a webstack:cache section with mode 'own' and run 'pulumi up' there first.`);
          }
        }
        return { id: value(id!) as string, url: value(url!) as string };
      });
      const ready = checked.then(() => undefined);
      // Whoever awaits ready() gets the refusal; the outputs below carry it too, so it is never lost.
      ready.catch(() => undefined);
      readiness.set(this, ready);
      // Through the reference's outputs, so whatever uses them depends on the reference.
      this.cacheId = ref.getOutput(CACHE_STACK_OUTPUTS.id).apply(() => checked.then((c) => c.id));
      // Secret even if the owner exported it in plaintext by mistake.
      this.connectionString = pulumi.secret(ref.getOutput(CACHE_STACK_OUTPUTS.connectionString).apply(() => checked.then((c) => c.url)));
    } else {
      const [kvArgs, kvOpts] = applyTransform<RenderKeyValueArgs>(
        transform?.keyValue,
        {
          ownerId: args.ownerId!,
          name: args.name!,
          plan: args.plan ?? "free",
          region: args.region ?? "oregon",
          maxmemoryPolicy: args.maxmemoryPolicy ?? "allkeys_lru",
          ipAllowList: args.ipAllowList ?? [],
          environmentId: args.environmentId,
        },
        // Cached data is rebuilt, but queues and sessions are not: production keeps its instance.
        { parent: this, ...(args.protect ? { protect: true, retainOnDelete: true } : {}) },
      );
      const kv = new RenderKeyValue(name, kvArgs, kvOpts);
      const source = args.connection === "external" ? kv.externalConnectionString : kv.internalConnectionString;
      this.cacheId = kv.id;
      // Render's string, re-encoded: a password with reserved characters must survive every client.
      this.connectionString = pulumi.secret(source.apply((s) => redisUrl(parseRedisUrl(s))));
      readiness.set(this, Promise.resolve());
    }
    this.keyPrefix = keyPrefix;

    this.registerOutputs({ cacheId: this.cacheId, connectionString: this.connectionString, keyPrefix: this.keyPrefix });
  }

  /**
   * Resolves once the owner stack (with `from`) has been checked, or rejects with its one-line
   * refusal. Await it before creating what uses the cache, so a refusal stops the program before
   * those register; a cache of its own is ready at once.
   */
  ready(): Promise<void> {
    return readiness.get(this)!;
  }
}
