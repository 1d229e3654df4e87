// Kept apart from frontend-site.ts so config/ and the `webstack` command read these without
// loading the Pulumi SDK.

/** Vercel Authentication scopes (the project's `vercelAuthentication.deploymentType`). */
export const VercelAuthentication = {
  standardProtectionNew: "standardProtectionNew",
  standardProtection: "standardProtection",
  allDeployments: "allDeployments",
  onlyPreviewDeployments: "onlyPreviewDeployments",
  none: "none",
} as const;
export type VercelAuthentication = (typeof VercelAuthentication)[keyof typeof VercelAuthentication];
export const VERCEL_AUTHENTICATION = Object.values(VercelAuthentication) as [VercelAuthentication, ...VercelAuthentication[]];

/**
 * What a created project gets when args do not say: Vercel's own default for new projects, set
 * explicitly so a change of Vercel's default never changes a stack. Staging, dev and preview
 * deployments run unreleased code against non-production data, so only the team's Vercel users
 * reach them; production custom domains stay public. Automation passes with the bypass secret.
 */
export const DEFAULT_VERCEL_AUTHENTICATION: VercelAuthentication = "standardProtectionNew";
