import { frontendProjectName } from "./naming";
import type { VercelSlot } from "../components/env-guard";
import { corsAllowedOrigins, frontendSlots } from "../components/env-wiring";
import { DEFAULT_VERCEL_AUTHENTICATION, type FrontendSiteArgs } from "../components/frontend-site";
import { ownsProject } from "./frontend";
import type { StackConfig } from "./schema";

/** What the validated config says about the frontend and its wiring, ready for index.ts. Pure. */
export interface WebPlan {
  /** The Vercel slots this stack writes. */
  slots: VercelSlot[];
  /** The backend's `CORS_ALLOWED_ORIGINS`, as a list. */
  corsAllowedOrigins: string[];
  /** `FrontendSite` args, without `variables` and `projectId` (those need other components). */
  site: Omit<FrontendSiteArgs, "variables" | "projectId">;
  /** Owner stack to read `frontendProjectId` from, when this stack attaches to its project. */
  projectFrom?: string;
  /** A project id given in config, when this stack attaches to a project managed elsewhere. */
  projectId?: string;
  /**
   * The backend's public URL when it has a custom domain (`https://<backend.domains[0]>`); the
   * frontend calls it rather than the `onrender.com` address. Otherwise use `WebService.url`.
   */
  backendDomainUrl?: string;
}

export function webPlan(config: Pick<StackConfig, "app" | "environment" | "frontend" | "backend">): WebPlan | undefined {
  const f = config.frontend;
  if (!f) return undefined;
  const owner = ownsProject(f);
  const name = frontendProjectName(config.app.name, f.name);
  const slots = frontendSlots({
    production: owner,
    branch: f.branch,
    branchServices: config.backend?.branches ?? [],
    previewDefault: f.previewDefault,
    development: f.development,
  });
  const site: WebPlan["site"] = {
    name,
    scope: f.scope,
    domains: f.domains.map((d) => (d.gitBranch ? { domain: d.domain, gitBranch: d.gitBranch } : { domain: d.domain })),
    ...(f.teamId !== undefined ? { teamId: f.teamId } : {}),
    ...(f.customEnvironment && f.branch ? { customEnvironment: { name: config.environment, branch: f.branch } } : {}),
    ...(owner
      ? {
          repo: config.app.repo,
          framework: f.framework ?? "nextjs",
          productionBranch: f.productionBranch ?? "main",
          ...(f.rootDirectory !== undefined ? { rootDirectory: f.rootDirectory } : {}),
          ...(f.buildCommand !== undefined ? { buildCommand: f.buildCommand } : {}),
          ...(f.installCommand !== undefined ? { installCommand: f.installCommand } : {}),
          protect: config.environment === "production",
          vercelAuthentication: f.vercelAuthentication ?? DEFAULT_VERCEL_AUTHENTICATION,
        }
      : {}),
  };
  return {
    slots,
    corsAllowedOrigins: corsAllowedOrigins({ project: name, scope: f.scope, domains: f.domains, slots, extraOrigins: f.extraOrigins }),
    site,
    ...(f.from ? { projectFrom: f.from } : {}),
    ...(f.projectId ? { projectId: f.projectId } : {}),
    ...(config.backend?.domains[0] ? { backendDomainUrl: `https://${config.backend.domains[0]}` } : {}),
  };
}
