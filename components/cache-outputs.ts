// Kept free of SDK imports: the synth's fake stack outputs read it too.

/** Names of the stack outputs a cache owner exports and a shared `Cache` reads back; index.ts exports these names. */
export const CACHE_STACK_OUTPUTS = {
  /** The owner's `webstack:environment`; a consumer refuses "production" without opt-in. */
  environment: "environment",
  /** Render id of the Key Value instance (`red-…`). */
  id: "cacheId",
  /** The owner's `REDIS_URL` (secret). */
  connectionString: "cacheConnectionString",
} as const;
