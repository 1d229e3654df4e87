import * as pulumi from "@pulumi/pulumi";
import { vercelUrls, type FrontendUrls } from "./env-wiring";
import type { VercelVariable } from "./env-var-set";
import { FrontendSite, type FrontendSiteArgs } from "./frontend-site";
import { NetlifyFrontend, type NetlifyFrontendArgs } from "./netlify-site";
import { netlifyUrls } from "./netlify-urls";

/**
 * The frontend contract: what index.ts, the env wiring and the stack outputs rely on, whichever
 * host serves the frontend. Two implementations, Vercel (`FrontendSite`) and Netlify
 * (`NetlifyFrontend`), chosen here and nowhere else (docs/architecture.md, "Frontend hosts").
 *
 * Shared vocabulary: a *site* (Vercel project, Netlify site) owned by the stack that creates it
 * (production), which other stacks attach to; *slots* (production, a branch's previews, every other
 * preview, local development) that each host maps onto its own targets or contexts.
 */
export type FrontendHostName = "vercel" | "netlify";

/** What a created frontend exposes, on either host. */
export interface FrontendHandle {
  /** The site's id on its host (Vercel project id, Netlify site id); attached stacks read it. */
  readonly projectId: pulumi.Output<string>;
  /** The production URL. */
  readonly productionUrl: pulumi.Output<string>;
  /** This stack's URL: production's, else its branch domain, else its branch's deploy URL. */
  readonly url: pulumi.Output<string>;
  /** The domains this stack manages. */
  readonly domains: pulumi.Output<string[]>;
  /** Every non-production deploy URL, `*` standing for one DNS label. */
  readonly previewUrlPattern: pulumi.Output<string>;
  /** Vercel: the automation bypass secret of protected deployments (the owner's). */
  readonly protectionBypassSecret?: pulumi.Output<string>;
}

/** Host-specific site settings, as config/web.ts derives them. */
export type FrontendSiteSpec =
  | ({ host: "vercel" } & Omit<FrontendSiteArgs, "variables" | "projectId">)
  | ({ host: "netlify" } & Omit<NetlifyFrontendArgs, "variables" | "siteId">);

/** What index.ts adds at program time: the site to attach to, and the variables per slot. */
export interface FrontendWiring {
  /** Attach to this site (another stack's `frontendProjectId`, or a configured id). */
  attachTo?: pulumi.Input<string>;
  /** One variable per slot, as `EnvVarSet.vercelVariables` plus `apiUrlVariables` render them. */
  variables: VercelVariable[];
}

export interface FrontendHost {
  readonly name: FrontendHostName;
  /** The host's URLs (pure), for CORS origins and FRONTEND_URL before anything exists. */
  readonly urls: FrontendUrls;
  /** Registers the site, its variables and its domains. */
  create(name: string, spec: FrontendSiteSpec, wiring: FrontendWiring, opts?: pulumi.ComponentResourceOptions): FrontendHandle;
}

const HOSTS: Record<FrontendHostName, FrontendHost> = {
  vercel: {
    name: "vercel",
    urls: vercelUrls,
    create(name, spec, wiring, opts) {
      const { host: _, ...args } = spec as Extract<FrontendSiteSpec, { host: "vercel" }>;
      return new FrontendSite(name, { ...args, variables: wiring.variables, ...(wiring.attachTo !== undefined ? { projectId: wiring.attachTo } : {}) }, opts);
    },
  },
  netlify: {
    name: "netlify",
    urls: netlifyUrls,
    create(name, spec, wiring, opts) {
      const { host: _, ...args } = spec as Extract<FrontendSiteSpec, { host: "netlify" }>;
      return new NetlifyFrontend(name, { ...args, variables: wiring.variables, ...(wiring.attachTo !== undefined ? { siteId: wiring.attachTo } : {}) }, opts);
    },
  },
};

/** The one place a frontend host is chosen (`webstack:frontend.host`, Vercel by default). */
export function frontendHost(name: FrontendHostName = "vercel"): FrontendHost {
  return HOSTS[name];
}

/** Registers the frontend on the host its spec names. */
export function createFrontend(name: string, spec: FrontendSiteSpec, wiring: FrontendWiring, opts?: pulumi.ComponentResourceOptions): FrontendHandle {
  return frontendHost(spec.host).create(name, spec, wiring, opts);
}
