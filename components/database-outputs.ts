// Kept free of SDK imports: the config schema and the synth's fake stack outputs read it too.

/**
 * Names of the stack outputs an owner stack exports for its consumers, and that
 * `SharedDatabase` reads back through a StackReference. index.ts exports them under exactly
 * these names.
 */
export const DATABASE_STACK_OUTPUTS = {
  /** The owner's `webstack:environment`; a consumer refuses "production" without opt-in. */
  environment: "environment",
  /** Plain map: consumer name → {host, port, database, user}. */
  consumers: "databaseConsumers",
  /** Secret map: consumer name → that consumer's own connection string. */
  consumerConnectionStrings: "databaseConsumerConnectionStrings",
} as const;

/** Where a consumer's role connects: everything but the secret. */
export interface ConsumerEndpoint {
  /** Server hostname. */
  host: string;
  /** Server port. */
  port: number;
  /** Database name. */
  database: string;
  /** The consumer's own login role. */
  user: string;
}

/** True for `org/project/prod`, `…/production`, `…/prod-eu` and the like. */
export function isProductionStackName(from: string): boolean {
  const stack = from.split("/").pop() ?? "";
  return /^prod(uction)?([-_.]|$)/i.test(stack);
}
