import { crossStackIssues } from "../config/cross-stack";
import type { OtherStackClaims } from "../config/domains";
import { configKey } from "../config/issues";
import { rawSections } from "../config/raw";
import { providerSettings } from "../config/rules";
import { NAMESPACE, type StackConfig } from "../config/schema";
import { missingSecrets, setSecretCommand } from "../config/secrets";
import { validateStackConfig } from "../config/validate";
import { SECURE_PLACEHOLDER, type StackFile } from "./stack-file";

export type Prepared = { ok: true; stackFile: StackFile; config: StackConfig } | { ok: false; errors: string[] };

/**
 * Stands in for the notify webhook offline: the config checks the secret is a Slack or Discord
 * URL, which the placeholder of an encrypted value is not. Never written out: the webhook is secret.
 */
export const WEBHOOK_PLACEHOLDER = `https://hooks.slack.com/services/T00000000/B00000000/${SECURE_PLACEHOLDER}`;

/**
 * Validates a stack file before anything runs, and stands placeholders in for the secrets a
 * real user sets with `pulumi config set --secret`, so the synth needs no keys. With `others`
 * (every other stack file of the checkout), also refuses a host name another stack claims, and a
 * free Supabase project past the organization's limit.
 */
export function prepareStack(stackFile: StackFile, others: readonly OtherStackClaims[] = []): Prepared {
  const secretsKey = `${NAMESPACE}:secrets`;
  const raw = rawSections(stackFile.config);
  // The value of an encrypted secret is unknown offline: the notify webhook's stands in as a URL.
  const webhook = (raw.notify as { webhook?: { secret?: unknown } } | undefined)?.webhook?.secret;
  const placeholderFor = (name: string) => (name === webhook ? WEBHOOK_PLACEHOLDER : SECURE_PLACEHOLDER);
  const fileSecrets = raw.secrets && typeof raw.secrets === "object" ? (raw.secrets as Record<string, unknown>) : undefined;
  if (typeof webhook === "string" && fileSecrets?.[webhook] === SECURE_PLACEHOLDER) {
    fileSecrets[webhook] = WEBHOOK_PLACEHOLDER;
    stackFile = { ...stackFile, config: { ...stackFile.config, [secretsKey]: JSON.stringify(fileSecrets) } };
  }

  const result = validateStackConfig(rawSections(stackFile.config), stackFile.stack, providerSettings(stackFile.config));
  const errors = [
    ...(result.ok ? [] : result.errors),
    // A committed stack file holds secrets encrypted only (`pulumi config set --secret`).
    ...(stackFile.plaintextSecrets ?? []).map(
      (name) => `${configKey(NAMESPACE, ["secrets", name])}: stored in plain text in the stack file; rotate it, then: ${setSecretCommand(stackFile.stack, name)}`,
    ),
    ...crossStackIssues(raw, others).map((i) => `${configKey(NAMESPACE, i.path)}: ${i.message}`),
  ];
  if (!result.ok || errors.length) return { ok: false, errors: [...new Set(errors)] };

  const missing = missingSecrets(result.config);
  if (missing.length === 0) return { ok: true, stackFile, config: result.config };
  const secrets = { ...result.config.secrets };
  for (const name of missing) secrets[name] = placeholderFor(name);
  return {
    ok: true,
    config: result.config,
    stackFile: {
      ...stackFile,
      config: { ...stackFile.config, [secretsKey]: JSON.stringify(secrets) },
      secretKeys: [...new Set([...stackFile.secretKeys, secretsKey])].sort(),
    },
  };
}
