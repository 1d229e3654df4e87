import { configKey } from "./issues";
import type { FreeProjectClaim } from "./supabase-free";

type Issue = { path: (string | number)[]; message: string };

/** A host name a stack claims, and the key that claims it. */
export interface DomainClaim {
  domain: string;
  path: (string | number)[];
  /** Who serves it. */
  host: "Render" | "Vercel";
  /** Claimed because Render adds the `www.` redirect of an apex by itself. */
  implied?: boolean;
}

const key = (path: Issue["path"]) => configKey("webstack", path);

/** Render treats a two-label name (`example.com`) as an apex and adds `www.<apex>` with it (render-api.md, custom domains). */
const isApex = (domain: string) => domain.split(".").length === 2;

/**
 * Every host name a stack's config claims: the backend's (and the `www.` Render adds to an apex),
 * and the frontend's. Reads unvalidated input too (another stack file), skipping what is not a name.
 */
export function domainClaims(c: { backend?: unknown; frontend?: unknown }): DomainClaim[] {
  const claims: DomainClaim[] = [];
  const list = (section: unknown) => {
    const domains = (section as { domains?: unknown } | undefined)?.domains;
    return Array.isArray(domains) ? domains : [];
  };
  list(c.backend).forEach((d, i) => {
    if (typeof d !== "string") return;
    claims.push({ domain: d, path: ["backend", "domains", i], host: "Render" });
    if (isApex(d)) claims.push({ domain: `www.${d}`, path: ["backend", "domains", i], host: "Render", implied: true });
  });
  list(c.frontend).forEach((d, i) => {
    const domain = typeof d === "string" ? d : (d as { domain?: unknown } | null)?.domain;
    if (typeof domain === "string") claims.push({ domain, path: ["frontend", "domains", i], host: "Vercel" });
  });
  return claims;
}

const describe = (c: DomainClaim) => (c.implied ? `${key(c.path)} (the 'www.' redirect Render adds to ${c.domain.slice(4)})` : key(c.path));

/** Within a stack: each host name claimed once, across the backend (main service) and the frontend. */
export function domainIssues(c: { backend?: unknown; frontend?: unknown }): Issue[] {
  const issues: Issue[] = [];
  const first = new Map<string, DomainClaim>();
  for (const claim of domainClaims(c)) {
    const seen = first.get(claim.domain);
    if (!seen) {
      first.set(claim.domain, claim);
      continue;
    }
    // Report at the explicit claim that came second.
    const [earlier, later] = claim.implied && !seen.implied ? [claim, seen] : [seen, claim];
    const both = earlier.host !== later.host ? `: ${earlier.host} and ${later.host} would both claim it, and one of them would fail or take it over` : "";
    issues.push({ path: later.path, message: `'${claim.domain}' is already claimed by ${describe(earlier)}${both}; list each host name once` });
  }
  return issues;
}

/** Another stack file's claims, by its stack name. */
export interface OtherStackClaims {
  stack: string;
  /** The file it came from, for messages: `Pulumi.prod.yaml`. */
  file: string;
  claims: DomainClaim[];
  /** The free Supabase project it creates, if any (config/supabase-free.ts). */
  freeSupabase?: FreeProjectClaim;
}

/** Across stacks: a host name this stack claims that another committed stack file claims too. */
export function crossStackDomainIssues(c: { backend?: unknown; frontend?: unknown }, others: readonly OtherStackClaims[]): Issue[] {
  const issues: Issue[] = [];
  const reported = new Set<string>();
  for (const claim of domainClaims(c)) {
    for (const other of others) {
      const theirs = other.claims.find((o) => o.domain === claim.domain);
      // Once per host name: a name listed twice here is the in-stack rule's to report.
      if (!theirs || reported.has(claim.domain)) continue;
      reported.add(claim.domain);
      const mine = claim.implied ? ` (Render adds it for the apex ${claim.domain.slice(4)})` : "";
      issues.push({
        path: claim.path,
        message: `'${claim.domain}'${mine} is already claimed by stack '${other.stack}' (${other.file}, ${describe(theirs)}); a host name belongs to one stack`,
      });
    }
  }
  return issues;
}
