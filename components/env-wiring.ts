import * as pulumi from "@pulumi/pulumi";
import type { VercelSlot } from "./env-guard";
import { vercelVariables, type EnvVar, type VercelVariable } from "./env-var-set";

/**
 * Derived wiring between the backend and the frontend, as pure functions: which Vercel slots a
 * stack writes, which backend URL each slot's frontend calls, and which origins the backend's
 * CORS allows. Nothing here registers a resource.
 */

/** A backend branch service: `name` keys `WebService.branchUrls`, `branch` is its git branch. */
export interface BranchService {
  name: string;
  branch: string;
}

export interface FrontendSlotsArgs {
  /** The stack owns the Vercel project's production target (it created the project). */
  production: boolean;
  /** The git branch whose preview deployments belong to this stack, e.g. `staging`. */
  branch?: string;
  /** Backend branch services; their git branches get branch-scoped preview values too. */
  branchServices?: readonly BranchService[];
  /** Preview deployments of branches no stack claims use this stack's values. */
  previewDefault?: boolean;
  /** `vercel dev` / `vercel env pull` use this stack's (public) values. */
  development?: boolean;
}

/** The Vercel slots a stack writes, in a stable order; no two stacks should share one. */
export function frontendSlots(a: FrontendSlotsArgs): VercelSlot[] {
  const slots: VercelSlot[] = [];
  if (a.production) slots.push({ target: "production" });
  const branches = [a.branch, ...(a.branchServices ?? []).map((s) => s.branch)].filter((b): b is string => !!b);
  for (const b of [...new Set(branches)]) slots.push({ target: "preview", gitBranch: b });
  if (a.previewDefault) slots.push({ target: "preview" });
  if (a.development) slots.push({ target: "development" });
  return slots;
}

/**
 * Vercel's branch slug in deployment URLs: lowercase, every run of other characters a dash.
 * `feature/Login` → `feature-login`.
 */
export function vercelBranchSlug(branch: string): string {
  return branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The stable URL of a branch's latest preview, `https://<project>-git-<branch>-<scope>.vercel.app`,
 * or undefined when the label exceeds 63 characters (Vercel then shortens it with a hash).
 */
export function branchAliasUrl(project: string, branch: string, scope: string): string | undefined {
  const label = `${project}-git-${vercelBranchSlug(branch)}-${scope}`;
  return label.length <= 63 ? `https://${label}.vercel.app` : undefined;
}

/**
 * Every preview deployment URL of a project: `https://<project>-*-<scope>.vercel.app`, where `*`
 * is a deployment hash or `git-<branch>`.
 */
export function previewUrlPattern(project: string, scope: string): string {
  return `https://${project}-*-${scope}.vercel.app`;
}

/** A frontend domain; with `gitBranch`, only that branch's deployments get it. */
export interface DomainEntry {
  /** The domain, e.g. `app.example.com`. */
  domain: string;
  /** Serve this branch's deployments instead of production's. */
  gitBranch?: string;
}

/** The production URL: the first domain not bound to a branch, else `<project>.vercel.app`. */
export function productionUrl(project: string, domains: readonly DomainEntry[]): string {
  const d = domains.find((x) => !x.gitBranch);
  return d ? `https://${d.domain}` : `https://${project}.vercel.app`;
}

export interface ApiUrlArgs {
  /** The frontend variable, e.g. `NEXT_PUBLIC_API_URL`. */
  variable: string;
  /** The slots this stack writes (see `frontendSlots`). */
  slots: readonly VercelSlot[];
  /** This stack's main backend service (`WebService.url`). */
  serviceUrl: pulumi.Input<string>;
  /** The backend branch services, and their URLs (`WebService.branchUrls`). */
  branchServices?: readonly BranchService[];
  branchUrls?: pulumi.Input<Record<string, string>>;
}

/**
 * The API URL variable per slot: a preview of a branch that has its own backend branch service
 * calls that service; every other slot calls this stack's main service. So production calls
 * production, and alice's frontend previews call alice's backend.
 */
export function apiUrlVariableSpecs(a: ApiUrlArgs): EnvVar[] {
  const byBranch = new Map((a.branchServices ?? []).map((s) => [s.branch, s.name]));
  return a.slots.map((slot) => {
    const service = slot.gitBranch ? byBranch.get(slot.gitBranch) : undefined;
    const from =
      service === undefined
        ? a.serviceUrl
        : pulumi.output(a.branchUrls ?? {}).apply((urls) => {
            const url = urls[service];
            if (!url) throw new Error(`WebService.branchUrls has no URL for branch service '${service}'`);
            return url;
          });
    return {
      name: a.variable,
      from,
      public: true,
      to: ["frontend"],
      target: slot.target,
      ...(slot.gitBranch ? { gitBranch: slot.gitBranch } : {}),
      description: service === undefined ? "URL of this stack's backend service" : `URL of backend branch service '${service}'`,
    };
  });
}

/** `apiUrlVariableSpecs` rendered for `FrontendSite.variables` (public, so not sensitive). */
export function apiUrlVariables(a: ApiUrlArgs): VercelVariable[] {
  return vercelVariables(apiUrlVariableSpecs(a), a.slots);
}

/**
 * A frontend host's URLs, the part of the frontend contract (components/frontend-host.ts) that the
 * pure wiring reads: CORS origins, FRONTEND_URL, the stack's `frontendUrl` output.
 */
export interface FrontendUrls {
  /** The production URL: the first production domain, else the host's own address. */
  productionUrl(site: string, domains: readonly DomainEntry[]): string;
  /** The stable URL of a branch's newest deploy, or undefined when it cannot be known. */
  branchUrl(site: string, branch: string, scope: string): string | undefined;
  /** Every non-production deploy URL, with `*` standing for one DNS label. */
  previewUrlPattern(site: string, scope: string): string;
}

/** Vercel's URLs. */
export const vercelUrls: FrontendUrls = {
  productionUrl,
  branchUrl: branchAliasUrl,
  previewUrlPattern,
};

export interface CorsArgs {
  /** The Vercel project name (or Netlify site name). */
  project: string;
  /** The host's URLs; Vercel's by default. */
  urls?: FrontendUrls;
  /** The team slug (or account name) in `*.vercel.app` URLs. */
  scope: string;
  /** This stack's frontend domains. */
  domains: readonly DomainEntry[];
  /** The slots this stack writes (see `frontendSlots`). */
  slots: readonly VercelSlot[];
  /** More origins, e.g. `http://localhost:3000` for local frontends. */
  extraOrigins?: readonly string[];
}

/**
 * The origins the backend must allow, for `CORS_ALLOWED_ORIGINS` (comma-joined):
 * - production: the production domains (or `<project>.vercel.app` without one), nothing else;
 * - each branch slot: its bound domains and its branch alias URL;
 * - any preview slot: the preview URL pattern, for per-deployment URLs. Only non-production
 *   backends trust it; a backend should match `*` as one DNS label.
 */
export function corsAllowedOrigins(a: CorsArgs): string[] {
  const urls = a.urls ?? vercelUrls;
  const origins: string[] = [];
  const branches = new Set(a.slots.filter((s) => s.gitBranch).map((s) => s.gitBranch!));
  if (a.slots.some((s) => s.target === "production")) {
    const prod = a.domains.filter((d) => !d.gitBranch);
    if (prod.length) origins.push(...prod.map((d) => `https://${d.domain}`));
    else origins.push(urls.productionUrl(a.project, []));
  }
  for (const d of a.domains) if (d.gitBranch && branches.has(d.gitBranch)) origins.push(`https://${d.domain}`);
  for (const b of branches) {
    const url = urls.branchUrl(a.project, b, a.scope);
    if (url) origins.push(url);
  }
  if (a.slots.some((s) => s.target === "preview")) origins.push(urls.previewUrlPattern(a.project, a.scope));
  origins.push(...(a.extraOrigins ?? []));
  return [...new Set(origins)];
}
