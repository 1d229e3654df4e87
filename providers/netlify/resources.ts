/**
 * The Pulumi resources of the Netlify providers. Each provider travels in state as the bundle
 * `providerSource(kind)` returns (token `pulumi-nodejs:dynamic/netlify:<Kind>`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { BranchDomainInputs } from "./branch-domain";
import type { DomainsInputs } from "./domains";
import type { EnvVarInputs } from "./env-var";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";
import type { SiteInputs } from "./site";

type Inputify<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export type NetlifySiteArgs = Inputify<SiteInputs>;

/** A Netlify site with its build settings, created in a team (`accountSlug`). */
export class NetlifySite extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly accountSlug: pulumi.Output<string>;
  /** `https://<name>.netlify.app`. */
  declare public readonly sslUrl: pulumi.Output<string>;
  declare public readonly adminUrl: pulumi.Output<string>;

  constructor(name: string, args: NetlifySiteArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:Site`, name, { __provider: providerSource("site"), sslUrl: undefined, adminUrl: undefined, ...args }, opts);
  }
}

export type NetlifyEnvVarArgs = Omit<Inputify<EnvVarInputs>, "values"> & { values: pulumi.Input<EnvVarInputs["values"]> };

/** One site variable (a key) and this stack's values of it, one per deploy context. */
export class NetlifyEnvVar extends pulumi.CustomResource {
  declare public readonly key: pulumi.Output<string>;
  declare public readonly isSecret: pulumi.Output<boolean>;

  constructor(name: string, args: NetlifyEnvVarArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      `${DYNAMIC_TYPE_PREFIX}:EnvVar`,
      name,
      // Values are stored as secrets whatever they hold: one flag for every context.
      { __provider: providerSource("envVar"), ...args, values: pulumi.secret(args.values) },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "values"] },
    );
  }
}

export type NetlifyDomainsArgs = Inputify<DomainsInputs>;

/** A site's production domains (custom domain and aliases) and its TLS certificate. */
export class NetlifyDomains extends pulumi.CustomResource {
  /** Let's Encrypt state (`issued`, …), or `pending` while DNS does not point at Netlify yet. */
  declare public readonly certificateState: pulumi.Output<string>;

  constructor(name: string, args: NetlifyDomainsArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:Domains`, name, { __provider: providerSource("domains"), certificateState: undefined, ...args }, opts);
  }
}

export type NetlifyBranchDomainArgs = Inputify<BranchDomainInputs>;

/** The site's branch-deploy domain: branch `b` is served on `<b>.<parent>` (Netlify Pro, Netlify DNS). */
export class NetlifyBranchDomain extends pulumi.CustomResource {
  constructor(name: string, args: NetlifyBranchDomainArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:BranchDomain`, name, { __provider: providerSource("branchDomain"), ...args }, opts);
  }
}
