import * as pulumi from "@pulumi/pulumi";
import { rawSections } from "./raw";
import type { StackConfig } from "./schema";
import { providerSettings } from "./rules";
import { missingSecrets, missingSecretsMessage } from "./secrets";
import { validateStackConfig } from "./validate";

export interface LoadedConfig {
  stack: string;
  project: string;
  /** The validated config; secret values are reachable only through `secret()`. */
  config: Omit<StackConfig, "secrets">;
  /** A config secret as a Pulumi secret; the plaintext never leaves it. */
  secret(name: string): pulumi.Output<string>;
}

/**
 * Reads and validates every `webstack:*` key of the running stack. Throws a RunError (printed
 * without a stack trace) listing every problem, before the program registers any resource.
 */
export function loadStackConfig(): LoadedConfig {
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const result = validateStackConfig(rawSections(all), stack, providerSettings(all));
  if (!result.ok) {
    throw new pulumi.RunError(
      `Invalid configuration for stack '${stack}' (${result.errors.length} problem${result.errors.length === 1 ? "" : "s"}):\n` +
        result.errors.map((e) => `  ${e}`).join("\n"),
    );
  }
  const missing = missingSecrets(result.config);
  if (missing.length > 0) throw new pulumi.RunError(missingSecretsMessage(stack, missing));

  const { secrets, ...config } = result.config;
  const cache = new Map<string, pulumi.Output<string>>();
  return {
    stack,
    project,
    config,
    secret(name) {
      const value = secrets[name];
      if (value === undefined) throw new pulumi.RunError(missingSecretsMessage(stack, [name]));
      if (!cache.has(name)) cache.set(name, pulumi.secret(value));
      return cache.get(name)!;
    },
  };
}
