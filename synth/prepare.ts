import { rawSections } from "../config/raw";
import { providerSettings } from "../config/rules";
import { NAMESPACE, type StackConfig } from "../config/schema";
import { missingSecrets } from "../config/secrets";
import { validateStackConfig } from "../config/validate";
import { SECURE_PLACEHOLDER, type StackFile } from "./stack-file";

export type Prepared = { ok: true; stackFile: StackFile; config: StackConfig } | { ok: false; errors: string[] };

/**
 * Validates a stack file before anything runs, and stands placeholders in for the secrets a
 * real user sets with `pulumi config set --secret`, so the synth needs no keys.
 */
export function prepareStack(stackFile: StackFile): Prepared {
  const result = validateStackConfig(rawSections(stackFile.config), stackFile.stack, providerSettings(stackFile.config));
  if (!result.ok) return { ok: false, errors: result.errors };

  const missing = missingSecrets(result.config);
  if (missing.length === 0) return { ok: true, stackFile, config: result.config };
  const secretsKey = `${NAMESPACE}:secrets`;
  const secrets = { ...result.config.secrets };
  for (const name of missing) secrets[name] = SECURE_PLACEHOLDER;
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
