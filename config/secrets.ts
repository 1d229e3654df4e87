import type { StackConfig } from "./schema";

/** Secret names the config refers to through `{secret: NAME}`, sorted. */
export function referencedSecrets(config: Pick<StackConfig, "env"> & Partial<Pick<StackConfig, "notify">>): string[] {
  const names = new Set<string>();
  for (const vars of Object.values(config.env)) {
    for (const v of Object.values(vars)) if (typeof v === "object" && "secret" in v) names.add(v.secret);
  }
  if (config.notify) names.add(config.notify.webhook.secret);
  return [...names].sort();
}

/** Names referenced but not set in `webstack:secrets`. */
export function missingSecrets(config: Pick<StackConfig, "env" | "secrets"> & Partial<Pick<StackConfig, "notify">>): string[] {
  return referencedSecrets(config).filter((n) => !(n in config.secrets));
}

/** The exact command that sets one secret for one stack. */
export function setSecretCommand(stack: string, name: string): string {
  return `pulumi config set --stack ${stack} --path --secret 'secrets.${name}' '<value>'`;
}

export function missingSecretsMessage(stack: string, names: readonly string[]): string {
  return [
    `Stack '${stack}' is missing ${names.length} secret${names.length === 1 ? "" : "s"}: ${names.join(", ")}.`,
    "Set them with:",
    ...names.map((n) => `  ${setSecretCommand(stack, n)}`),
  ].join("\n");
}
