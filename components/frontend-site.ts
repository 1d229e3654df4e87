import * as pulumi from "@pulumi/pulumi";
import { vercel, type CustomEnvironmentArgs, type ProjectArgs, type ProjectDomainArgs, type ProjectEnvironmentVariableArgs, type ProjectProtectionBypassArgs } from "./vercel-resources";
import { resourceNamePart as part, slotLabel, vercelVariableIssues } from "./env-guard";
import type { VercelVariable } from "./env-var-set";
import { previewUrlPattern, productionUrl, branchAliasUrl, type DomainEntry } from "./env-wiring";
import { nameProblem } from "../providers/names";
import { applyTransform, type ResourceTransform } from "./transform";

import { DEFAULT_VERCEL_AUTHENTICATION, type VercelAuthentication } from "./vercel-authentication";
export { DEFAULT_VERCEL_AUTHENTICATION, VERCEL_AUTHENTICATION, VercelAuthentication } from "./vercel-authentication";

/** A Vercel custom environment that tracks one branch. */
export interface FrontendCustomEnvironment {
  /** Environment name on Vercel. @example "staging" */
  name: string;
  /** The git branch it tracks. @example "staging" */
  branch: string;
}

export interface FrontendSiteArgs {
  /**
   * The Vercel project name; also the first label of its `*.vercel.app` URLs. When attaching to
   * a project (`projectId`) it must be that project's name.
   */
  name: string;
  /**
   * Team slug (or personal account name) in the project's deployment URLs.
   * @example "acme"  // ott-web-git-staging-acme.vercel.app
   */
  scope: string;
  /**
   * Attach to an existing project (created by another stack, or by hand) instead of creating one:
   * this site then adds only its variables, domains and custom environment.
   * @example "prj_0tt7acme2WebXk4Lr8Nq3VbPz"  // prod's frontendProjectId output, as plain config
   */
  projectId?: pulumi.Input<string>;
  /** GitHub repository `owner/name` (required when creating the project). */
  repo?: string;
  /** The branch Vercel deploys to production (creating only). Default `main`. */
  productionBranch?: string;
  /** Framework preset (creating only), e.g. `nextjs`, `vite`. Default `nextjs`. */
  framework?: string;
  /** Monorepo folder of the frontend (creating only), e.g. `web`. */
  rootDirectory?: string;
  /** Overrides the framework's build command (creating only). */
  buildCommand?: string;
  /** Overrides the install command (creating only), e.g. `npm ci`. */
  installCommand?: string;
  /**
   * Vercel team id that owns the project. Needed when `scope` is a team and the Vercel provider
   * has no default team (`vercel:team`): calls otherwise go to the token owner's personal account.
   * Set it before the first `up`; adding it later replaces the project.
   * @example "team_0tt7acme2Kp9xWz4Lr8Nq3Vb"
   */
  teamId?: string;
  /**
   * Environment variables, one per slot: usually `EnvVarSet.vercelVariables` plus `apiUrlVariables(...)`.
   * @example [{ key: "NEXT_PUBLIC_API_URL", value: api.url, target: "production", sensitive: false }]
   */
  variables?: VercelVariable[];
  /**
   * Domains. Without `gitBranch` a domain serves production; with it, that branch's deployments.
   * @example [{ domain: "preview.example.com", gitBranch: "staging" }]
   */
  domains?: DomainEntry[];
  /**
   * Vercel Pro: make this branch a custom environment (tracking the branch), and put its
   * variables and domains there instead of branch-scoped preview ones.
   * @example { name: "staging", branch: "staging" }
   */
  customEnvironment?: FrontendCustomEnvironment;
  /** Protect the project (production): `protect` and `retainOnDelete`. */
  protect?: boolean;
  /**
   * Which deployments only the team's Vercel users reach (creating only). Default
   * `standardProtectionNew`: every deployment except production custom domains. Unless it is
   * `none`, the site also creates an automation bypass (`protectionBypassSecret`) that CI and
   * `webstack status/verify` send as `x-vercel-protection-bypass`.
   * @example "allDeployments" // production domains too (Vercel Pro)
   */
  vercelAuthentication?: VercelAuthentication;
}

export interface FrontendSiteOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    project?: ResourceTransform<ProjectArgs>;
    customEnvironment?: ResourceTransform<CustomEnvironmentArgs>;
    protectionBypass?: ResourceTransform<ProjectProtectionBypassArgs>;
    variable?: ResourceTransform<ProjectEnvironmentVariableArgs>;
    domain?: ResourceTransform<ProjectDomainArgs>;
  };
}

const OWNER_ONLY = ["repo", "productionBranch", "framework", "rootDirectory", "buildCommand", "installCommand", "vercelAuthentication"] as const;

/** Every problem with the args, one line each, naming the arg. Pure. */
export function frontendSiteIssues(a: FrontendSiteArgs): string[] {
  const issues: string[] = [];
  if (a.projectId !== undefined) {
    for (const k of OWNER_ONLY) {
      if (a[k] !== undefined) issues.push(`${k}: a project setting; set it where the project is created, not with projectId`);
    }
  } else {
    if (!a.repo) issues.push("repo: required to create the project (or pass projectId to attach to one)");
    const problem = nameProblem("vercelProject", String(a.name));
    if (problem) issues.push(`name: '${a.name}' ${problem}`);
  }
  const prodBranch = a.productionBranch ?? "main";
  const seen = new Set<string>();
  (a.domains ?? []).forEach((d, i) => {
    if (seen.has(d.domain)) issues.push(`domains[${i}]: '${d.domain}' listed twice`);
    seen.add(d.domain);
    if (a.projectId === undefined && d.gitBranch === prodBranch) {
      issues.push(`domains[${i}]: gitBranch '${d.gitBranch}' is the production branch; leave gitBranch out`);
    }
  });
  for (const v of a.variables ?? []) {
    if (a.projectId === undefined && v.gitBranch === prodBranch) {
      issues.push(`variables: ${v.key} (${slotLabel(v)}): the production branch deploys to production, not preview`);
    }
  }
  issues.push(...vercelVariableIssues(a.variables ?? []).map((m) => `variables: ${m}`));
  // Branch names are shortened into resource names; two must not end up the same.
  const names = new Map<string, string>();
  for (const v of a.variables ?? []) {
    const n = variableResourceName("", v);
    const other = names.get(n);
    if (other !== undefined && other !== slotLabel(v)) {
      issues.push(`variables: ${v.key} (${slotLabel(v)}) and (${other}) map to the same resource name; rename a branch`);
    }
    names.set(n, slotLabel(v));
  }
  return issues;
}


function variableResourceName(site: string, v: VercelVariable): string {
  return `${site}-${part(v.key)}-${part(slotLabel(v).replace("@", "-"))}`;
}

/**
 * A frontend on Vercel: the project (or an existing one), its environment variables, one per
 * target (and git branch), and its domains. Several stacks can share one project: the one that
 * creates it owns production, the others attach with `projectId` and add their branch's slots.
 */
export class FrontendSite extends pulumi.ComponentResource {
  /** Vercel project id (created, or the one attached to). */
  public readonly projectId: pulumi.Output<string>;
  /** The production URL: the first production domain, else `https://<name>.vercel.app`. */
  public readonly productionUrl: pulumi.Output<string>;
  /** This stack's URL: production's, else its first branch domain, else its branch alias URL. */
  public readonly url: pulumi.Output<string>;
  /** The domains this site manages. */
  public readonly domains: pulumi.Output<string[]>;
  /** All preview deployment URLs, `https://<name>-*-<scope>.vercel.app`. */
  public readonly previewUrlPattern: pulumi.Output<string>;
  /** The custom environment's id, when one was created. */
  public readonly customEnvironmentId?: pulumi.Output<string>;
  /** The automation bypass secret (a secret output), when this site created the project with protection on. */
  public readonly protectionBypassSecret?: pulumi.Output<string>;

  constructor(name: string, args: FrontendSiteArgs, opts: FrontendSiteOptions = {}) {
    const issues = frontendSiteIssues(args);
    if (issues.length) {
      throw new pulumi.RunError(`FrontendSite '${name}': invalid args:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    }
    const { transform, ...componentOpts } = opts;
    super("webstack:index:FrontendSite", name, {}, componentOpts);

    const team = args.teamId !== undefined ? { teamId: args.teamId } : {};
    let projectId: pulumi.Output<string>;
    let protectionBypassSecret: pulumi.Output<string> | undefined;
    if (args.projectId !== undefined) {
      projectId = pulumi.output(args.projectId);
    } else {
      const protection = args.vercelAuthentication ?? DEFAULT_VERCEL_AUTHENTICATION;
      const [pArgs, pOpts] = applyTransform<ProjectArgs>(
        transform?.project,
        {
          name: args.name,
          framework: args.framework ?? "nextjs",
          ...(args.rootDirectory !== undefined ? { rootDirectory: args.rootDirectory } : {}),
          ...(args.buildCommand !== undefined ? { buildCommand: args.buildCommand } : {}),
          ...(args.installCommand !== undefined ? { installCommand: args.installCommand } : {}),
          gitRepository: { type: "github", repo: args.repo!, productionBranch: args.productionBranch ?? "main" },
          vercelAuthentication: { deploymentType: protection },
          // A rollback turns this off on Vercel; `pulumi up --refresh` sees the drift and turns it back on.
          autoAssignCustomDomains: true,
          ...team,
        },
        { parent: this, ...(args.protect ? { protect: true, retainOnDelete: true } : {}) },
      );
      projectId = new vercel.Project(name, pArgs, pOpts).id;
      if (protection !== "none") {
        const [bArgs, bOpts] = applyTransform<ProjectProtectionBypassArgs>(
          transform?.protectionBypass,
          { projectId, note: "webstack: CI and webstack status/verify", ...team },
          { parent: this },
        );
        // The provider marks `secret` as a secret output; pulumi.secret keeps it one through any transform.
        protectionBypassSecret = pulumi.secret(new vercel.ProjectProtectionBypass(`${name}-automation`, bArgs, bOpts).secret);
      }
    }

    let customEnvironmentId: pulumi.Output<string> | undefined;
    if (args.customEnvironment) {
      const ce = args.customEnvironment;
      const [cArgs, cOpts] = applyTransform<CustomEnvironmentArgs>(
        transform?.customEnvironment,
        { projectId, name: ce.name, branchTracking: { type: "equals", pattern: ce.branch }, ...team },
        { parent: this },
      );
      customEnvironmentId = new vercel.CustomEnvironment(`${name}-${part(ce.name)}`, cArgs, cOpts).id;
    }
    const inCustomEnv = (gitBranch?: string) =>
      customEnvironmentId !== undefined && gitBranch !== undefined && gitBranch === args.customEnvironment!.branch;

    for (const v of args.variables ?? []) {
      const slot = inCustomEnv(v.gitBranch)
        ? { customEnvironmentIds: [customEnvironmentId!] }
        : { targets: [v.target], ...(v.gitBranch ? { gitBranch: v.gitBranch } : {}) };
      const [vArgs, vOpts] = applyTransform<ProjectEnvironmentVariableArgs>(
        transform?.variable,
        {
          projectId,
          key: v.key,
          value: v.value,
          sensitive: v.sensitive,
          ...slot,
          ...(v.comment ? { comment: v.comment.slice(0, 500) } : {}),
          ...team,
        },
        // Replacing in place fails with ENV_ALREADY_EXISTS (pulumi-vercel #118): delete first.
        { parent: this, deleteBeforeReplace: true },
      );
      new vercel.ProjectEnvironmentVariable(variableResourceName(name, v), vArgs, vOpts);
    }

    for (const d of args.domains ?? []) {
      const bind = inCustomEnv(d.gitBranch)
        ? { customEnvironmentId: customEnvironmentId! }
        : d.gitBranch
          ? { gitBranch: d.gitBranch }
          : {};
      const [dArgs, dOpts] = applyTransform<ProjectDomainArgs>(
        transform?.domain,
        { projectId, domain: d.domain, ...bind, ...team },
        { parent: this },
      );
      new vercel.ProjectDomain(`${name}-${d.domain}`, dArgs, dOpts);
    }

    const domains = args.domains ?? [];
    const branches = [...new Set((args.variables ?? []).flatMap((v) => (v.gitBranch ? [v.gitBranch] : [])))];
    const ownUrl =
      args.projectId === undefined
        ? productionUrl(args.name, domains)
        : (domains[0] && `https://${domains[0].domain}`) ??
          (branches[0] && branchAliasUrl(args.name, branches[0], args.scope)) ??
          productionUrl(args.name, []);

    this.projectId = projectId;
    this.productionUrl = pulumi.output(productionUrl(args.name, args.projectId === undefined ? domains : []));
    this.url = pulumi.output(ownUrl);
    this.domains = pulumi.output(domains.map((d) => d.domain));
    this.previewUrlPattern = pulumi.output(previewUrlPattern(args.name, args.scope));
    this.customEnvironmentId = customEnvironmentId;
    this.protectionBypassSecret = protectionBypassSecret;

    this.registerOutputs({
      projectId: this.projectId,
      productionUrl: this.productionUrl,
      url: this.url,
      domains: this.domains,
      previewUrlPattern: this.previewUrlPattern,
      protectionBypassSecret: this.protectionBypassSecret,
    });
  }
}
