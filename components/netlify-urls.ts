import type { DomainEntry, FrontendUrls } from "./env-wiring";

/**
 * Netlify's automatic URLs (reference §6), as pure functions: production `<site>.netlify.app`,
 * a branch deploy `<branch>--<site>.netlify.app`, a deploy preview `deploy-preview-<PR>--<site>.netlify.app`,
 * a deploy permalink `<deploy id>--<site>.netlify.app`.
 */

/** The production URL: the first domain not bound to a branch, else `https://<site>.netlify.app`. */
export function netlifyProductionUrl(site: string, domains: readonly DomainEntry[]): string {
  const d = domains.find((x) => !x.gitBranch);
  return d ? `https://${d.domain}` : `https://${site}.netlify.app`;
}

/**
 * A branch deploy's URL, `https://<branch>--<site>.netlify.app`, or undefined when it cannot be
 * known. How Netlify slugs a branch name that is not already a DNS label (`feature/Login`) is
 * unconfirmed, so only such branches (of at most 37 characters, the CLI's alias cap) get a URL here; the others are reached through
 * `netlifyPreviewUrlPattern`. Also undefined past 63 characters.
 */
export function netlifyBranchUrl(site: string, branch: string): string | undefined {
  // The CLI caps a deploy alias at 37 characters.
  if (!/^[a-z0-9]([a-z0-9-]{0,35}[a-z0-9])?$/.test(branch)) return undefined;
  const label = `${branch}--${site}`;
  return label.length <= 63 ? `https://${label}.netlify.app` : undefined;
}

/**
 * Every non-production deploy URL of a site, `https://*--<site>.netlify.app`: `*` is a branch slug,
 * `deploy-preview-<PR>` or a deploy id. A backend should match `*` as one DNS label.
 */
export function netlifyPreviewUrlPattern(site: string): string {
  return `https://*--${site}.netlify.app`;
}

/** A deploy preview's URL, `https://deploy-preview-<PR>--<site>.netlify.app`. */
export function netlifyDeployPreviewUrl(site: string, pr: number): string {
  return `https://deploy-preview-${pr}--${site}.netlify.app`;
}

/** Netlify's URLs for the frontend contract (the team slug plays no part in them). */
export const netlifyUrls: FrontendUrls = {
  productionUrl: netlifyProductionUrl,
  branchUrl: (site, branch) => netlifyBranchUrl(site, branch),
  previewUrlPattern: (site) => netlifyPreviewUrlPattern(site),
};

/** The parent of a branch domain `<branch>.<parent>` (the site's `branch_deploy_custom_domain`), or undefined. */
export function netlifyBranchDomainParent(domain: string, branch: string): string | undefined {
  return domain.startsWith(`${branch}.`) && domain.split(".").length > 2 ? domain.slice(branch.length + 1) : undefined;
}
