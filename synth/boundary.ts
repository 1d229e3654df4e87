import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { productionReadIssues, stackReferenceKeys } from "../config/boundary";
import { configKey } from "../config/issues";
import { NAMESPACE, type StackConfig } from "../config/schema";
import { PREVIEW_STACK, PREVIEW_TEMPLATE } from "./stack-file";

/** What a stack file says about its environment and its secrets provider. */
export interface StackFileFacts {
  /** `Pulumi.staging.yaml`, or the template for `pr-<n>`. */
  file: string;
  environment?: string;
  /** `secretsprovider:` as written; absent means the backend's default. */
  secretsProvider?: string;
  /** `encryptionsalt:` (passphrase stacks). */
  encryptionSalt?: string;
}

/** Reads the committed file of `stack`, or undefined when there is none. */
export function stackFileFacts(root: string, stack: string): StackFileFacts | undefined {
  const file =
    ["yaml", "yml"].map((ext) => `Pulumi.${stack}.${ext}`).find((f) => existsSync(join(root, f))) ??
    (PREVIEW_STACK.test(stack) && existsSync(join(root, PREVIEW_TEMPLATE)) ? PREVIEW_TEMPLATE : undefined);
  if (!file) return undefined;
  const doc = (YAML.parse(readFileSync(join(root, file), "utf8")) ?? {}) as { config?: Record<string, unknown>; secretsprovider?: unknown; encryptionsalt?: unknown };
  const env = doc.config?.[`${NAMESPACE}:environment`];
  return {
    file,
    ...(typeof env === "string" ? { environment: env } : {}),
    ...(typeof doc.secretsprovider === "string" ? { secretsProvider: doc.secretsprovider } : {}),
    ...(typeof doc.encryptionsalt === "string" ? { encryptionSalt: doc.encryptionsalt } : {}),
  };
}

/** The provider a file names, as compared: a passphrase stack may leave `secretsprovider` out and carry only its salt. */
function providerKind(f: StackFileFacts): string {
  const p = f.secretsProvider?.trim();
  if (p && p !== "default") return p === "passphrase" ? "passphrase" : p.replace(/\?.*$/, "");
  return f.encryptionSalt ? "passphrase" : "the backend's default (Pulumi Cloud's, or a passphrase on a DIY backend)";
}

export interface BoundaryReport {
  /** One line each, `webstack:<key>: …`: the synth refuses the stack. */
  errors: string[];
  /** One line each: the synth goes on. */
  warnings: string[];
}

/**
 * What the synth can tell from the committed stack files about the stacks `config` reads:
 * - a stack below production that reads a production stack (by the referenced file's
 *   `webstack:environment`, which catches names the program's name rule misses) is refused;
 * - stacks that reference each other must decrypt each other's secret outputs, so a different
 *   secrets provider, or a different passphrase salt, is a warning.
 * A reference to another project or org, or to a stack without a committed file, is not judged.
 */
export function boundaryReport(root: string, stack: string, project: string, config: StackConfig): BoundaryReport {
  const own = stackFileFacts(root, stack);
  const errors: string[] = [];
  const warnings: string[] = [];
  const facts = new Map<string, StackFileFacts | undefined>();
  const local = (ref: string): StackFileFacts | undefined => {
    if (!facts.has(ref)) {
      const [org, proj, name] = ref.split("/");
      const ours = proj === project && (org === config.app.pulumiOrg || org === "organization");
      facts.set(ref, ours && name ? stackFileFacts(root, name) : undefined);
    }
    return facts.get(ref);
  };
  for (const i of productionReadIssues(config, (ref) => local(ref)?.environment === "production")) {
    errors.push(`${configKey(NAMESPACE, i.path)}: ${i.message}`);
  }

  const seen = new Set<string>();
  for (const k of stackReferenceKeys(config)) {
    const other = local(k.ref);
    if (!other || !own || seen.has(k.ref)) continue;
    seen.add(k.ref);
    const mine = providerKind(own);
    const theirs = providerKind(other);
    const key = configKey(NAMESPACE, k.path);
    if (mine !== theirs) {
      warnings.push(
        `${key}: ${own.file} names the secrets provider ${mine} and ${other.file} names ${theirs}: ` +
          `this stack cannot decrypt ${k.ref}'s secret outputs unless both stacks share one secrets provider (docs/delivery.md, "One secrets provider")`,
      );
    } else if (mine === "passphrase" && own.encryptionSalt && other.encryptionSalt && own.encryptionSalt !== other.encryptionSalt) {
      warnings.push(
        `${key}: ${own.file} and ${other.file} carry different encryptionsalt values: ${k.ref}'s secret outputs decrypt only if both stacks ` +
          `were created with the same PULUMI_CONFIG_PASSPHRASE, which nothing offline can confirm (docs/delivery.md, "One secrets provider")`,
      );
    }
  }
  return { errors, warnings };
}
