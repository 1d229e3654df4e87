import { slotLabel, type VercelSlot } from "./env-guard";
import type { VercelVariable } from "./env-var-set";

/**
 * How the host-neutral frontend slots (production, a branch's previews, every other preview,
 * local development) map onto Netlify's deploy contexts (reference §4-5), and the rules Netlify
 * puts on variables: scopes per plan, secrets. Pure.
 */

/** A Netlify env value's context. `branch` needs `contextParameter`, the branch name. */
export type NetlifyContext = "production" | "deploy-preview" | "branch-deploy" | "branch" | "dev";

export interface NetlifyContextRef {
  context: NetlifyContext;
  /** With `context: "branch"`: the branch. */
  contextParameter?: string;
}

/**
 * The Netlify contexts of one slot: production → `production`; a branch's previews → `branch` with
 * that branch; every other preview → `deploy-preview` and `branch-deploy`; development → `dev`.
 * Never `all`: a secret must name its contexts, and `all` would also override other stacks' branches.
 */
export function netlifyContexts(slot: VercelSlot): NetlifyContextRef[] {
  if (slot.target === "production") return [{ context: "production" }];
  if (slot.target === "development") return [{ context: "dev" }];
  if (slot.gitBranch) return [{ context: "branch", contextParameter: slot.gitBranch }];
  return [{ context: "deploy-preview" }, { context: "branch-deploy" }];
}

/** Label of a context for messages and resource names: `production`, `branch:staging`. */
export function contextLabel(c: NetlifyContextRef): string {
  return c.contextParameter !== undefined ? `${c.context}:${c.contextParameter}` : c.context;
}

/** The scopes a secret must carry on every plan: secrets cannot have `post-processing` (reference §5). */
export const SECRET_SCOPES = ["builds", "functions", "runtime"] as const;

/** One Netlify variable (a key) with the values this stack writes, one per context. */
export interface NetlifyVariableSpec<V = unknown> {
  key: string;
  /** Write-only on Netlify; set for every value that is not public. */
  isSecret: boolean;
  /**
   * Scopes to send, or undefined to send none (Netlify then applies all four). Free/Starter refuse
   * any explicit scopes, except exactly `builds, functions, runtime` for a secret (reference §5).
   */
  scopes?: string[];
  values: (NetlifyContextRef & { value: V })[];
}

/**
 * The frontend variables (one per slot, as `EnvVarSet` renders them) grouped into Netlify keys.
 * Public values get no scopes (all four, accepted on every plan); secrets get exactly
 * `builds, functions, runtime`, the one set a free plan accepts for them.
 */
export function netlifyVariables<V>(vars: readonly (Omit<VercelVariable, "value"> & { value: V })[]): NetlifyVariableSpec<V>[] {
  const byKey = new Map<string, NetlifyVariableSpec<V>>();
  for (const v of vars) {
    let spec = byKey.get(v.key);
    if (!spec) byKey.set(v.key, (spec = { key: v.key, isSecret: v.sensitive, ...(v.sensitive ? { scopes: [...SECRET_SCOPES] } : {}), values: [] }));
    for (const c of netlifyContexts(v)) spec.values.push({ ...c, value: v.value });
  }
  return [...byKey.values()];
}

/** Problems with variables bound for Netlify, one line each, naming the variable and slot. */
export function netlifyVariableIssues(vars: readonly Omit<VercelVariable, "value">[]): string[] {
  const issues: string[] = [];
  const secret = new Map<string, boolean>();
  for (const v of vars) {
    const known = secret.get(v.key);
    if (known !== undefined && known !== v.sensitive) {
      issues.push(`${v.key} (${slotLabel(v)}): Netlify keeps one secret flag per variable; it is secret in one slot and public in another`);
    }
    secret.set(v.key, v.sensitive);
    if (v.sensitive && v.target === "development") {
      issues.push(`${v.key} (${slotLabel(v)}): a secret cannot go to the dev context (Netlify and its CLI keep dev values readable)`);
    }
  }
  return issues;
}
