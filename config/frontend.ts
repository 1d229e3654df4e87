import { z } from "zod";
import { VERCEL_AUTHENTICATION } from "../components/vercel-authentication";
import { netlifyBranchDomainParent } from "../components/netlify-urls";
import { envVarName, gitBranch, hostname, oneOf, slug, stackRef } from "./common";

/** A domain, optionally bound to the deployments of one git branch (e.g. a staging subdomain). */
const domainEntry = z.union([
  hostname.transform((domain) => ({ domain, gitBranch: undefined as string | undefined })),
  z.object({ domain: hostname, gitBranch: gitBranch.optional() }).strict(),
]);

/** Settings of the Vercel project itself: only the stack that creates the project sets them. */
export const projectSettings = ["framework", "rootDirectory", "buildCommand", "installCommand", "productionBranch", "vercelAuthentication"] as const;


/** The frontend hosts webstack deploys to; `components/frontend-host.ts` holds one implementation each. */
export const FRONTEND_HOSTS = ["vercel", "netlify"] as const;
export type FrontendHostName = (typeof FRONTEND_HOSTS)[number];

/** Netlify plans as the reference dates them (docs/cost.md): credit plans since 2025-09, `starter` = the legacy free plan. */
export const NETLIFY_PLANS = ["free", "personal", "pro", "starter"] as const;
export type NetlifyPlan = (typeof NETLIFY_PLANS)[number];

/** Keys that only mean something on Vercel: refused with `host: netlify`. */
const VERCEL_ONLY = ["teamId", "framework", "installCommand", "vercelAuthentication"] as const;

const VERCEL_PROJECT_ID = /^prj_[A-Za-z0-9]+$/;
const NETLIFY_SITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Netlify-only settings (`webstack:frontend.netlify`), read when `host: netlify`. */
export const netlifySchema = z
  .object({
    plan: oneOf(NETLIFY_PLANS)
      .default("free")
      .describe("Netlify plan of the team in 'scope': free | personal | pro (credit plans), or starter (the legacy free plan)."),
    publishDir: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+$/, "expected a folder such as 'dist'")
      .default("dist")
      .describe("Folder the build writes, relative to rootDirectory (Vite: 'dist')."),
  })
  .strict()
  .describe("Netlify settings, with host: netlify. The site is built in CI and deployed through the API (docs/architecture.md).");

export type NetlifyConfig = z.infer<typeof netlifySchema>;

export const frontendSchema = z
  .object({
    host: oneOf(FRONTEND_HOSTS)
      .default("vercel")
      .describe("Where the frontend is hosted: 'vercel' (the default) or 'netlify'."),
    netlify: netlifySchema.optional(),
    name: slug
      .optional()
      .describe(
        "Vercel project name (or Netlify site name, unique across all of Netlify), the same in every stack that shares it; defaults to '<app>-web'.",
      ),
    scope: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "expected a Vercel team slug or account name")
      .describe(
        "Vercel team slug (or account name) in deployment URLs, e.g. 'acme' in ott-web-git-staging-acme.vercel.app; on Netlify the team slug the site is created in.",
      ),
    from: stackRef
      .optional()
      .describe("Non-production stack that owns the Vercel project, read through a StackReference; never a production stack: use 'projectId'."),
    projectId: z
      .string()
      .optional()
      .describe(
        "Id of the Vercel project ('prj_…') or Netlify site (a UUID) to add this stack's variables and domains to: the owner stack's 'frontendProjectId' output (e.g. prod's), or one managed outside webstack.",
      ),
    framework: z.string().min(1).optional().describe("Vercel framework preset, e.g. 'nextjs' (the default) or 'vite'."),
    rootDirectory: z.string().optional().describe("Monorepo folder of the frontend, e.g. 'web'."),
    buildCommand: z.string().optional().describe("Overrides the framework's build command."),
    installCommand: z.string().optional().describe("Overrides the install command, e.g. 'npm ci'."),
    productionBranch: gitBranch.optional().describe("Branch Vercel deploys to production; 'main' by default."),
    vercelAuthentication: oneOf(VERCEL_AUTHENTICATION)
      .optional()
      .describe(
        "Which deployments only the team's Vercel users reach (Vercel Authentication), set on the project explicitly: 'standardProtectionNew' (the default: " +
          "every deployment except production custom domains, so staging, dev and previews are not public), 'allDeployments' (production too; Pro), " +
          "'onlyPreviewDeployments', 'standardProtection' (legacy) or 'none' (everything public). webstack status/verify pass with the project's automation bypass secret.",
      ),
    branch: gitBranch
      .optional()
      .describe("Git branch whose preview deployments belong to this stack (staging/dev), e.g. 'staging'."),
    previewDefault: z
      .boolean()
      .default(false)
      .describe("Preview deployments of branches no stack claims (feature branches, PRs) use this stack's values and backend."),
    development: z
      .boolean()
      .default(false)
      .describe("'vercel dev' and 'vercel env pull' get this stack's public values and backend URL."),
    customEnvironment: z
      .boolean()
      .default(false)
      .describe("Vercel Pro: make 'branch' a custom environment instead of branch-scoped preview variables."),
    apiUrlVariable: envVarName
      .optional()
      .describe(
        "Variable through which the frontend learns the backend URL. Default: the build's browser prefix + API_URL: " +
          "VITE_API_URL on Netlify (a Vite build) and with framework 'vite', NEXT_PUBLIC_API_URL for Next.js (Vercel's default framework).",
      ),
    domains: z
      .array(domainEntry)
      .default([])
      .describe("Domains, e.g. ['app.example.com', {domain: 'preview.example.com', gitBranch: 'staging'}]."),
    extraOrigins: z
      .array(z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d+)?$/, "expected an origin such as 'http://localhost:3000'"))
      .default([])
      .describe("More origins the backend's CORS allows, e.g. ['http://localhost:3000']."),
    teamId: z
      .string()
      .regex(/^team_[A-Za-z0-9]+$/, "expected a Vercel team id ('team_…'); a team slug goes in vercel:team")
      .optional()
      .describe(
        "Vercel team id ('team_…') that owns the project; required when scope is a team, unless the stack file sets vercel:team. " +
          "Set it before the first 'pulumi up': adding it later replaces the project.",
      ),
    plan: oneOf(["hobby", "pro"])
      .default("hobby")
      .describe("Vercel plan of the team or account in 'scope' (one fee per account, docs/cost.md); Hobby is for non-commercial use only."),
    personalAccount: z
      .boolean()
      .default(false)
      .describe("Set to true when scope is a personal Vercel account rather than a team; no team id is needed then."),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.projectId !== undefined && !(f.host === "netlify" ? NETLIFY_SITE_ID : VERCEL_PROJECT_ID).test(f.projectId)) {
      const want = f.host === "netlify" ? "a Netlify site id (a UUID)" : "a Vercel project id ('prj_…')";
      ctx.addIssue({ code: "custom", path: ["projectId"], message: `expected ${want}: the owner stack's 'frontendProjectId' output` });
    }
    if (f.host === "netlify") {
      for (const k of VERCEL_ONLY) {
        if (f[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: "a Vercel setting; remove it with host: netlify" });
      }
      for (const k of ["customEnvironment", "personalAccount"] as const) {
        if (f[k]) ctx.addIssue({ code: "custom", path: [k], message: "a Vercel setting; remove it with host: netlify" });
      }
      if (f.plan !== "hobby") ctx.addIssue({ code: "custom", path: ["plan"], message: "the Vercel plan; with host: netlify set netlify.plan" });
    } else if (f.netlify !== undefined) {
      ctx.addIssue({ code: "custom", path: ["netlify"], message: "Netlify settings need host: netlify" });
    }
    const attached = f.from ?? f.projectId;
    if (f.from && f.projectId) {
      ctx.addIssue({ code: "custom", path: ["projectId"], message: "set either 'from' or 'projectId', not both" });
    }
    if (attached) {
      for (const k of projectSettings) {
        if (f[k] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [k],
            message: `a project setting, owned by ${f.from ? `'${f.from}'` : "whoever manages the project"}; remove it here`,
          });
        }
      }
    }
    if (!attached && f.branch !== undefined && f.branch === (f.productionBranch ?? "main")) {
      ctx.addIssue({ code: "custom", path: ["branch"], message: "is the production branch; a stack's branch deploys to preview" });
    }
    if (f.customEnvironment && !f.branch) {
      ctx.addIssue({ code: "custom", path: ["customEnvironment"], message: "needs 'branch', the branch the environment tracks" });
    }
    if (f.vercelAuthentication === "allDeployments" && f.plan !== "pro") {
      ctx.addIssue({ code: "custom", path: ["vercelAuthentication"], message: "'allDeployments' protects production domains too, which Vercel offers on Pro and Enterprise only; set plan: pro, or use 'standardProtectionNew'" });
    }
    if (f.personalAccount && f.teamId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["teamId"], message: "a personal account has no team: remove teamId or personalAccount" });
    }
  })
  .describe("The frontend project on Vercel (the default) or site on Netlify (host: netlify).");

/** The variable prefix each framework inlines into the browser bundle. */
const BROWSER_PREFIX: Record<string, string> = { nextjs: "NEXT_PUBLIC_", vite: "VITE_", remix: "VITE_", sveltekit: "PUBLIC_", nuxtjs: "NUXT_PUBLIC_", "create-react-app": "REACT_APP_" };

/** What builds the frontend: Vercel's framework preset (Next.js unless set); a Netlify site is built in CI as the guide's Vite app. */
export function frontendFramework(f: Pick<FrontendConfig, "host" | "framework">): string {
  return f.host === "netlify" ? "vite" : (f.framework ?? "nextjs");
}

/** The frontend's backend-URL variable: `apiUrlVariable`, else the framework's browser prefix + `API_URL`. */
export function apiUrlVariable(f: Pick<FrontendConfig, "host" | "framework" | "apiUrlVariable">): string {
  return f.apiUrlVariable ?? `${BROWSER_PREFIX[frontendFramework(f)] ?? "NEXT_PUBLIC_"}API_URL`;
}

/** The Netlify settings with their defaults (also when `netlify` is left out). */
export function netlifySettings(f: FrontendConfig): NetlifyConfig {
  return f.netlify ?? netlifySchema.parse({});
}

export type FrontendConfig = z.infer<typeof frontendSchema>;

/** The stack creates the Vercel project (and owns its production target). */
export function ownsProject(f: FrontendConfig): boolean {
  return f.from === undefined && f.projectId === undefined;
}

/**
 * The team Vercel calls are made for: without one they go to the token owner's personal account,
 * where a team's project is not found and its `*-<team>.vercel.app` URLs do not exist.
 */
export function vercelTeamIssues(f: FrontendConfig | undefined, vercelTeam: string | undefined): { path: (string | number)[]; message: string }[] {
  if (!f || f.host !== "vercel") return [];
  if (f.personalAccount) {
    return vercelTeam ? [{ path: ["frontend", "personalAccount"], message: `the stack file sets vercel:team '${vercelTeam}': a personal account has no team` }] : [];
  }
  if (f.teamId !== undefined || vercelTeam) return [];
  return [
    {
      path: ["frontend", "teamId"],
      message:
        `required: scope '${f.scope}' names a Vercel team, and without the team's id Vercel calls go to the token owner's personal account. ` +
        "Set it (team_…, shown in the team's settings) or vercel:team in this stack file before the first 'pulumi up' (adding it later replaces the project); " +
        `if '${f.scope}' is a personal account, set webstack:frontend.personalAccount: true.`,
    },
  ];
}

/** Rules between `frontend` and the sections it depends on, as {path, message}. */
export function frontendCrossIssues(c: {
  environment?: string;
  frontend?: FrontendConfig;
  backend?: { branches: { name: string; branch: string }[] };
}): { path: (string | number)[]; message: string }[] {
  const f = c.frontend;
  if (!f) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (c.environment === "production") {
    if (f.branch) issues.push({ path: ["frontend", "branch"], message: "a production stack serves the production branch only" });
    if (f.previewDefault) {
      issues.push({ path: ["frontend", "previewDefault"], message: "previews must not call the production backend" });
    }
    if (f.development) {
      issues.push({ path: ["frontend", "development"], message: "local development must not call the production backend" });
    }
  }
  const served = new Set([f.branch, ...(c.backend?.branches ?? []).map((b) => b.branch)].filter(Boolean));
  f.domains.forEach((d, i) => {
    if (d.gitBranch && !served.has(d.gitBranch)) {
      issues.push({
        path: ["frontend", "domains", i, "gitBranch"],
        message: `'${d.gitBranch}' is not a branch this stack serves (${[...served].map((b) => `'${b}'`).join(", ") || "none"})`,
      });
    }
    if (!d.gitBranch && !ownsProject(f)) {
      issues.push({
        path: ["frontend", "domains", i],
        message: "a production domain belongs to the stack that owns the project; bind it to this stack's branch with gitBranch",
      });
    }
  });
  if (f.host === "netlify") issues.push(...netlifyDomainIssues(f));
  return issues;
}


/**
 * Netlify's domain rules that can be known offline (reference §6): production domains are the site's
 * custom domain and aliases, `www.<apex>` comes with the apex; branch domains are automatic deploy
 * subdomains `<branch>.<parent>` (Pro and above, one parent per site).
 */
function netlifyDomainIssues(f: FrontendConfig): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const plan = netlifySettings(f).plan;
  const production = new Set(f.domains.filter((d) => !d.gitBranch).map((d) => d.domain));
  const parents = new Map<string, number>();
  f.domains.forEach((d, i) => {
    if (!d.gitBranch) {
      if (d.domain.startsWith("www.") && production.has(d.domain.slice(4))) {
        issues.push({
          path: ["frontend", "domains", i],
          message: `Netlify serves '${d.domain}' with its apex '${d.domain.slice(4)}' (and redirects one to the other); list the apex only`,
        });
      }
      return;
    }
    const parent = netlifyBranchDomainParent(d.domain, d.gitBranch);
    if (!parent) {
      issues.push({
        path: ["frontend", "domains", i, "domain"],
        message: `Netlify serves a branch on '<branch>.<domain>': expected '${d.gitBranch}.<a domain on Netlify DNS>', got '${d.domain}'`,
      });
      return;
    }
    if (plan !== "pro") {
      issues.push({
        path: ["frontend", "domains", i, "gitBranch"],
        message: `branch domains through the API (branch_deploy_custom_domain) need Netlify Pro; webstack:frontend.netlify.plan is '${plan}'`,
      });
    }
    if (parents.size && !parents.has(parent)) {
      issues.push({
        path: ["frontend", "domains", i, "domain"],
        message: `a Netlify site has one branch-deploy domain; '${d.domain}' is under '${parent}', another branch domain under '${[...parents.keys()][0]}'`,
      });
    }
    parents.set(parent, i);
  });
  return issues;
}
