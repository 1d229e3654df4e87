import { frontendProjectName } from "./naming";
import type { VercelSlot } from "../components/env-guard";
import { corsAllowedOrigins, frontendSlots } from "../components/env-wiring";
import { frontendHost, type FrontendSiteSpec } from "../components/frontend-host";
import { DEFAULT_VERCEL_AUTHENTICATION } from "../components/vercel-authentication";
import { netlifySettings, ownsProject } from "./frontend";
import type { StackConfig } from "./schema";

/** What the validated config says about the frontend and its wiring, ready for index.ts. Pure. */
export interface WebPlan {
  /** The Vercel slots this stack writes. */
  slots: VercelSlot[];
  /** The backend's `CORS_ALLOWED_ORIGINS`, as a list. */
  corsAllowedOrigins: string[];
  /**
   * The backend's `FRONTEND_URL`: the URL this stack's frontend answers on (production's, else its
   * branch domain, else its branch's deploy URL), from the host's own URL rules.
   */
  frontendUrl: string;
  /** The site's settings on its host, without what needs other components (variables, the site to attach to). */
  site: FrontendSiteSpec;
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
  const site: WebPlan["site"] = f.host === "netlify" ? netlifySite(config, name) : {
    host: "vercel",
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
  const urls = frontendHost(f.host).urls;
  const firstBranch = slots.find((x) => x.gitBranch)?.gitBranch;
  const frontendUrl = owner
    ? urls.productionUrl(name, f.domains)
    : ((f.domains[0] && `https://${f.domains[0].domain}`) ?? (firstBranch && urls.branchUrl(name, firstBranch, f.scope)) ?? urls.productionUrl(name, []));
  return {
    slots,
    frontendUrl,
    corsAllowedOrigins: corsAllowedOrigins({
      project: name,
      scope: f.scope,
      domains: f.domains,
      slots,
      extraOrigins: f.extraOrigins,
      urls,
    }),
    site,
    ...(f.from ? { projectFrom: f.from } : {}),
    ...(f.projectId ? { projectId: f.projectId } : {}),
    ...(config.backend?.domains[0] ? { backendDomainUrl: `https://${config.backend.domains[0]}` } : {}),
  };
}

/** The Netlify site's settings (the owner stack sets the build; attached stacks only their domains). */
function netlifySite(config: Pick<StackConfig, "app" | "environment" | "frontend">, name: string): FrontendSiteSpec {
  const f = config.frontend!;
  const owner = ownsProject(f);
  return {
    host: "netlify",
    name,
    scope: f.scope,
    domains: f.domains.map((d) => (d.gitBranch ? { domain: d.domain, gitBranch: d.gitBranch } : { domain: d.domain })),
    ...(owner
      ? {
          repo: config.app.repo,
          productionBranch: f.productionBranch ?? "main",
          publishDir: netlifySettings(f).publishDir,
          ...(f.rootDirectory !== undefined ? { rootDirectory: f.rootDirectory } : {}),
          ...(f.buildCommand !== undefined ? { buildCommand: f.buildCommand } : {}),
          protect: config.environment === "production",
        }
      : {}),
  };
}
