import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { domainClaims, type OtherStackClaims } from "./domains";
import { rawSections } from "./raw";
import { freeProjectClaim } from "./supabase-free";

export interface StackFile {
  project: string;
  stack: string;
  /** Flat config as the Pulumi CLI passes it to a program: namespaced keys, objects as JSON. */
  config: Record<string, string>;
  /** Keys whose value holds at least one secure (encrypted) leaf. */
  secretKeys: string[];
  /** Names in `webstack:secrets` whose value the file holds in plain text (not `secure:`). */
  plaintextSecrets?: string[];
}

export class UnknownStackError extends Error {}

/** Stands in for an encrypted value; never written to a synth output. */
export const SECURE_PLACEHOLDER = "synth-placeholder-secret";

/** Template of the pull-request stacks `pr-<n>`, which have no committed stack file. */
export const PREVIEW_TEMPLATE = "stacks/preview.yaml";
export const PREVIEW_STACK = /^pr-\d+$/;

/** The committed stacks (`Pulumi.<stack>.yaml`); `pr-<n>` stacks come from PREVIEW_TEMPLATE. */
export function listStacks(root: string): string[] {
  return readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

// A synth reads every other stack file too (the claims across stacks), so the same few texts are
// parsed again for each stack: each text once. Only read here, never changed.
const parsedTexts = new Map<string, unknown>();
function parseYaml(text: string): unknown {
  if (!parsedTexts.has(text)) {
    if (parsedTexts.size >= 64) parsedTexts.clear();
    parsedTexts.set(text, YAML.parse(text));
  }
  return parsedTexts.get(text);
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI would: project defaults first,
 * stack values over them. Encrypted values become placeholders, so no key is ever needed.
 */
export function readStackFile(root: string, stack: string, path?: string): StackFile {
  const project = parseYaml(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, { default?: unknown; value?: unknown }>;
  };
  if (path !== undefined && !existsSync(path)) throw new UnknownStackError(`--stack-file ${path}: no such file`);
  const file =
    path ??
    ["yaml", "yml"].map((ext) => join(root, `Pulumi.${stack}.${ext}`)).find(existsSync) ??
    [join(root, PREVIEW_TEMPLATE)].find((t) => PREVIEW_STACK.test(stack) && existsSync(t));
  if (!file) {
    throw new UnknownStackError(
      `Unknown stack '${stack}': there is no Pulumi.${stack}.yaml. Known stacks: ${listStacks(root).join(", ")}.`,
    );
  }
  const stackDoc = (parseYaml(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };

  const values = new Map<string, unknown>();
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const v = decl?.value ?? decl?.default;
    if (v !== undefined) values.set(namespaced(project.name, key), v);
  }
  for (const [key, v] of Object.entries(stackDoc.config ?? {})) values.set(namespaced(project.name, key), v);

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, v] of values) {
    const { value, secure } = unsecure(v);
    if (secure) secretKeys.push(key);
    config[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }
  // Only the stack file is read: Pulumi.yaml's defaults are no place for a secret either, but hold none.
  const secrets = stackDoc.config?.[namespaced(project.name, "secrets")] ?? stackDoc.config?.secrets;
  const plaintextSecrets =
    secrets && typeof secrets === "object" && !Array.isArray(secrets)
      ? Object.entries(secrets as Record<string, unknown>)
          .filter(([, v]) => !unsecure(v).secure)
          .map(([k]) => k)
          .sort()
      : [];
  return { project: project.name, stack, config, secretKeys: secretKeys.sort(), ...(plaintextSecrets.length ? { plaintextSecrets } : {}) };
}

/**
 * The host names every other stack of the checkout claims: the committed stack files, and the
 * pull-request template (unless this stack is made from it: PR stacks claim no custom domains).
 */
export function otherStackClaims(root: string, stack: string): OtherStackClaims[] {
  const template = existsSync(join(root, PREVIEW_TEMPLATE));
  const others = listStacks(root)
    // A `Pulumi.pr-<n>.yaml` (written by CI from the template) is counted as the template.
    .filter((s) => s !== stack && !(template && PREVIEW_STACK.test(s)))
    .map((s) => ({ stack: s, file: `Pulumi.${s}.yaml`, read: () => readStackFile(root, s) }));
  if (!PREVIEW_STACK.test(stack) && template) {
    others.push({ stack: "pr-<n>", file: PREVIEW_TEMPLATE, read: () => readStackFile(root, "pr-0") });
  }
  return others.map(({ read, ...o }) => {
    const raw = rawSections(read().config);
    const free = freeProjectClaim(raw);
    return { ...o, claims: domainClaims(raw), ...(free ? { freeSupabase: free } : {}) };
  });
}

function namespaced(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Replaces every `{secure: …}` leaf with a placeholder and reports whether one was found. */
function unsecure(v: unknown): { value: unknown; secure: boolean } {
  if (Array.isArray(v)) {
    const items = v.map(unsecure);
    return { value: items.map((i) => i.value), secure: items.some((i) => i.secure) };
  }
  if (v && typeof v === "object") {
    const obj = v as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return { value: SECURE_PLACEHOLDER, secure: true };
    let secure = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      const r = unsecure(x);
      out[k] = r.value;
      secure ||= r.secure;
    }
    return { value: out, secure };
  }
  return { value: v, secure: false };
}
