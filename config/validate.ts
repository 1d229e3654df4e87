import type { z } from "zod";
import { budgetIssues } from "../cost/budget";
import { configKey, formatIssues } from "./issues";
import { crossSectionIssues, type ProviderSettings } from "./rules";
import { NAMESPACE, sections, stackConfigSchema, type SectionName, type StackConfig } from "./schema";

export type ValidationResult = { ok: true; config: StackConfig } | { ok: false; errors: string[] };

/**
 * Validates raw `webstack:*` values (keys without the namespace) and reports every problem
 * at once: schema errors, unknown keys with suggestions, and cross-section rules. With the
 * stack's name (the program and the synth pass it), also the budget guard. `providers` carries the
 * provider keys of the same stack file that the rules read (`vercel:team`).
 */
export function validateStackConfig(raw: Record<string, unknown>, stack?: string, providers: ProviderSettings = {}): ValidationResult {
  const parsed = stackConfigSchema.safeParse(raw);
  const names = Object.keys(sections) as SectionName[];
  if (parsed.success) {
    const cross = [...crossSectionIssues(parsed.data, new Set(names), providers, stack), ...(stack ? budgetIssues(stack, parsed.data) : [])];
    if (cross.length === 0) return { ok: true, config: parsed.data };
    return { ok: false, errors: cross.map((i) => `${configKey(NAMESPACE, i.path)}: ${i.message}`) };
  }
  const errors = formatIssues(NAMESPACE, stackConfigSchema as z.ZodType, parsed.error.issues, raw);
  // Cross-section rules still run on the sections that are valid on their own.
  const partial: Record<string, unknown> = {};
  const known = new Set<SectionName>();
  for (const name of names) {
    const r = (sections[name] as z.ZodType).safeParse(raw[name]);
    if (r.success) {
      known.add(name);
      partial[name] = r.data;
    }
  }
  for (const i of crossSectionIssues(partial as Partial<StackConfig>, known, providers, stack)) {
    errors.push(`${configKey(NAMESPACE, i.path)}: ${i.message}`);
  }
  return { ok: false, errors: [...new Set(errors)] };
}
