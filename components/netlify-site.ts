import * as pulumi from "@pulumi/pulumi";
import {
  NetlifyBranchDomain,
  NetlifyDomains,
  NetlifyEnvVar,
  NetlifySite as NetlifySiteResource,
  type NetlifyBranchDomainArgs,
  type NetlifyDomainsArgs,
  type NetlifyEnvVarArgs,
  type NetlifySiteArgs,
} from "../providers/netlify/resources";
import { vercelVariableIssues } from "./env-guard";
import type { VercelVariable } from "./env-var-set";
import type { DomainEntry } from "./env-wiring";
import { contextLabel, netlifyVariableIssues, netlifyVariables } from "./netlify-env";
import { netlifyBranchDomainParent, netlifyBranchUrl, netlifyPreviewUrlPattern, netlifyProductionUrl } from "./netlify-urls";
import { applyTransform, type ResourceTransform } from "./transform";

export interface NetlifyFrontendArgs {
  /** Site name: `<name>.netlify.app`, unique across all of Netlify. @example "ott-web" */
  name: string;
  /** Team slug the site lives in (`account_slug`). @example "acme" */
  scope: string;
  /**
   * Attach to a site another stack (or a person) created: this stack then writes only its
   * variables' contexts and its branch domain.
   * @example new pulumi.StackReference("frontend-project", { name: "acme/webstack/prod" }).requireOutput("frontendProjectId")
   */
  siteId?: pulumi.Input<string>;
  /** GitHub repository `owner/name` (creating only). */
  repo?: string;
  /** Production branch (creating only). Default `main`. */
  productionBranch?: string;
  /** Base directory (creating only), e.g. `web`. */
  rootDirectory?: string;
  /** Build command (creating only). Default `npm run build`. */
  buildCommand?: string;
  /** Publish directory relative to the base (creating only). Default `dist`. */
  publishDir?: string;
  /** Variables, one per slot, as `EnvVarSet.vercelVariables` renders them; they become Netlify contexts. */
  variables?: VercelVariable[];
  /**
   * Domains: without `gitBranch` production's (the first is the custom domain, the others aliases);
   * with it, `<branch>.<parent>` through the site's branch-deploy domain.
   * @example [{ domain: "staging.ott.example.com", gitBranch: "staging" }]
   */
  domains?: DomainEntry[];
  /** Protect the site (production): `protect` and `retainOnDelete`. */
  protect?: boolean;
}

export interface NetlifyFrontendOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    site?: ResourceTransform<NetlifySiteArgs>;
    variable?: ResourceTransform<NetlifyEnvVarArgs>;
    domains?: ResourceTransform<NetlifyDomainsArgs>;
    branchDomain?: ResourceTransform<NetlifyBranchDomainArgs>;
  };
}

const OWNER_ONLY = ["repo", "productionBranch", "rootDirectory", "buildCommand", "publishDir"] as const;

/** Every problem with the args, one line each, naming the arg. Pure. */
export function netlifyFrontendIssues(a: NetlifyFrontendArgs): string[] {
  const issues: string[] = [];
  if (a.siteId !== undefined) {
    for (const k of OWNER_ONLY) if (a[k] !== undefined) issues.push(`${k}: a site setting; set it where the site is created, not with siteId`);
  } else if (!a.repo) {
    issues.push("repo: required to create the site (or pass siteId to attach to one)");
  }
  const seen = new Set<string>();
  (a.domains ?? []).forEach((d, i) => {
    if (seen.has(d.domain)) issues.push(`domains[${i}]: '${d.domain}' listed twice`);
    seen.add(d.domain);
    if (d.gitBranch && !netlifyBranchDomainParent(d.domain, d.gitBranch)) {
      issues.push(`domains[${i}]: a Netlify branch domain is '${d.gitBranch}.<parent>', got '${d.domain}'`);
    }
    if (!d.gitBranch && a.siteId !== undefined) issues.push(`domains[${i}]: a production domain belongs to the stack that creates the site`);
  });
  const parents = new Set((a.domains ?? []).flatMap((d) => (d.gitBranch ? [netlifyBranchDomainParent(d.domain, d.gitBranch) ?? ""] : [])));
  if (parents.size > 1) issues.push(`domains: a Netlify site has one branch-deploy domain, got ${[...parents].join(", ")}`);
  const vars = a.variables ?? [];
  issues.push(...vercelVariableIssues(vars).map((m) => `variables: ${m}`));
  issues.push(...netlifyVariableIssues(vars).map((m) => `variables: ${m}`));
  return issues;
}

/** Resource-name-safe form of a label. */
function part(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "-");
}

/**
 * A frontend on Netlify (the `netlify` implementation of the frontend contract,
 * components/frontend-host.ts): the site and its build settings (or an existing site), its
 * variables with one value per deploy context, its production domains with TLS, and the
 * branch-deploy domain. The site is built in CI and deployed through the API
 * (docs/architecture.md), so Netlify never builds on its own.
 */
export class NetlifyFrontend extends pulumi.ComponentResource {
  /** Netlify site id (created, or the one attached to). */
  public readonly projectId: pulumi.Output<string>;
  /** The production URL: the first production domain, else `https://<name>.netlify.app`. */
  public readonly productionUrl: pulumi.Output<string>;
  /** This stack's URL: production's, else its first branch domain, else its branch deploy URL. */
  public readonly url: pulumi.Output<string>;
  /** The domains this site manages. */
  public readonly domains: pulumi.Output<string[]>;
  /** Every non-production deploy URL, `https://*--<name>.netlify.app`. */
  public readonly previewUrlPattern: pulumi.Output<string>;

  constructor(name: string, args: NetlifyFrontendArgs, opts: NetlifyFrontendOptions = {}) {
    const issues = netlifyFrontendIssues(args);
    if (issues.length) {
      throw new pulumi.RunError(`NetlifyFrontend '${name}': invalid args:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    }
    const { transform, ...componentOpts } = opts;
    super("webstack:index:NetlifyFrontend", name, {}, componentOpts);
    const protect = args.protect ? { protect: true, retainOnDelete: true } : {};

    let siteId: pulumi.Output<string>;
    if (args.siteId !== undefined) {
      siteId = pulumi.output(args.siteId);
    } else {
      const [sArgs, sOpts] = applyTransform<NetlifySiteArgs>(
        transform?.site,
        {
          accountSlug: args.scope,
          name: args.name,
          productionBranch: args.productionBranch ?? "main",
          base: args.rootDirectory ?? "",
          command: args.buildCommand ?? "npm run build",
          publishDir: args.publishDir ?? "dist",
        },
        { parent: this, ...protect },
      );
      siteId = new NetlifySiteResource(name, sArgs, sOpts).id;
    }

    for (const v of netlifyVariables(args.variables ?? [])) {
      const [vArgs, vOpts] = applyTransform<NetlifyEnvVarArgs>(
        transform?.variable,
        {
          accountSlug: args.scope,
          siteId,
          key: v.key,
          isSecret: v.isSecret,
          ...(v.scopes ? { scopes: v.scopes } : {}),
          values: pulumi
            .all(v.values.map((x) => x.value))
            .apply((values) =>
              v.values.map((x, i) => ({ context: x.context, ...(x.contextParameter !== undefined ? { contextParameter: x.contextParameter } : {}), value: values[i]! })),
            ),
        },
        { parent: this },
      );
      // One resource per key and set of contexts: two stacks write other contexts of the same key.
      const contexts = v.values.map(contextLabel).join("+");
      new NetlifyEnvVar(`${name}-${part(v.key)}-${part(contexts)}`, vArgs, vOpts);
    }

    const domains = args.domains ?? [];
    const production = domains.filter((d) => !d.gitBranch);
    if (production.length) {
      const [dArgs, dOpts] = applyTransform<NetlifyDomainsArgs>(
        transform?.domains,
        { siteId, customDomain: production[0]!.domain, aliases: production.slice(1).map((d) => d.domain) },
        { parent: this },
      );
      new NetlifyDomains(`${name}-domains`, dArgs, dOpts);
    }
    const branchDomain = domains.find((d) => d.gitBranch);
    if (branchDomain) {
      const parent = netlifyBranchDomainParent(branchDomain.domain, branchDomain.gitBranch!)!;
      const [bArgs, bOpts] = applyTransform<NetlifyBranchDomainArgs>(transform?.branchDomain, { siteId, parent }, { parent: this });
      new NetlifyBranchDomain(`${name}-branch-domain`, bArgs, bOpts);
    }

    const branches = [...new Set((args.variables ?? []).flatMap((v) => (v.gitBranch ? [v.gitBranch] : [])))];
    const ownUrl =
      args.siteId === undefined
        ? netlifyProductionUrl(args.name, domains)
        : ((domains[0] && `https://${domains[0].domain}`) ??
          (branches[0] && netlifyBranchUrl(args.name, branches[0])) ??
          netlifyProductionUrl(args.name, []));

    this.projectId = siteId;
    this.productionUrl = pulumi.output(netlifyProductionUrl(args.name, args.siteId === undefined ? domains : []));
    this.url = pulumi.output(ownUrl);
    this.domains = pulumi.output(domains.map((d) => d.domain));
    this.previewUrlPattern = pulumi.output(netlifyPreviewUrlPattern(args.name));
    this.registerOutputs({
      projectId: this.projectId,
      productionUrl: this.productionUrl,
      url: this.url,
      domains: this.domains,
      previewUrlPattern: this.previewUrlPattern,
    });
  }
}
