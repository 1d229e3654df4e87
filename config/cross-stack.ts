import { crossStackDomainIssues, domainClaims, type OtherStackClaims } from "./domains";
import { freeProjectClaim, freeProjectIssues } from "./supabase-free";

type Issue = { path: (string | number)[]; message: string };

/** Whether a stack's config claims anything another stack file could also claim (so those files are worth reading). */
export function claimsAcrossStacks(raw: Record<string, unknown>): boolean {
  return domainClaims(raw).length > 0 || freeProjectClaim(raw) !== undefined;
}

/**
 * What only the other stack files of the checkout can tell: a host name another stack claims, and a
 * Supabase organization's free projects beyond its limit. The synth (synth/prepare.ts) and the
 * program (config/load.ts) both run it, before any resource is registered.
 */
export function crossStackIssues(raw: Record<string, unknown>, others: readonly OtherStackClaims[]): Issue[] {
  return [
    ...crossStackDomainIssues(raw, others),
    ...freeProjectIssues(
      raw,
      others.flatMap((o) => (o.freeSupabase ? [{ stack: o.stack, file: o.file, ...o.freeSupabase }] : [])),
    ),
  ];
}
