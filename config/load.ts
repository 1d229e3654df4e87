import { existsSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { claimsAcrossStacks, crossStackIssues } from "./cross-stack";
import type { OtherStackClaims } from "./domains";
import { configKey } from "./issues";
import { NAMESPACE } from "./schema";
import { otherStackClaims } from "./stack-files";
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
export function loadStackConfig(root: string = pulumi.runtime.getRootDirectory() || process.cwd()): LoadedConfig {
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const raw = rawSections(all);
  const result = validateStackConfig(raw, stack, providerSettings(all));
  // What only the other stack files tell (a host name, a Supabase org's free projects): `pulumi up`
  // runs in the checkout, where they are, as the synth does.
  const across = result.ok && claimsAcrossStacks(raw) ? crossStackIssues(raw, otherStacks(root, stack)).map((i) => `${configKey(NAMESPACE, i.path)}: ${i.message}`) : [];
  const errors = result.ok ? across : result.errors;
  if (!result.ok || errors.length) {
    throw new pulumi.RunError(
      `Invalid configuration for stack '${stack}' (${errors.length} problem${errors.length === 1 ? "" : "s"}):\n` + errors.map((e) => `  ${e}`).join("\n"),
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

/** The other stack files next to Pulumi.yaml; none when the program runs elsewhere or one cannot be read (Pulumi reads its own). */
function otherStacks(root: string, stack: string): OtherStackClaims[] {
  if (!existsSync(join(root, "Pulumi.yaml"))) return [];
  try {
    return otherStackClaims(root, stack);
  } catch {
    return [];
  }
}
