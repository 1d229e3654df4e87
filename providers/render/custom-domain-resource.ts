/**
 * `RenderCustomDomain`, the Pulumi resource for one custom domain of a Render web service. Its
 * provider travels in state as the bundle `providerSource("customDomain")` returns.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CustomDomainInputs } from "./custom-domain";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";

export type RenderCustomDomainArgs = { [K in keyof CustomDomainInputs]: pulumi.Input<CustomDomainInputs[K]> };

/** A custom domain on a Render web service (token `pulumi-nodejs:dynamic/render:CustomDomain`). */
export class RenderCustomDomain extends pulumi.CustomResource {
  declare public readonly serviceId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly domainType: pulumi.Output<"apex" | "subdomain">;
  /** `verified` once Render has seen the DNS record. */
  declare public readonly verificationStatus: pulumi.Output<"verified" | "unverified">;
  /** The apex this name redirects to when it is Render's automatic `www.` entry, else "". */
  declare public readonly redirectForName: pulumi.Output<string>;

  constructor(name: string, args: RenderCustomDomainArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      `${DYNAMIC_TYPE_PREFIX}:CustomDomain`,
      name,
      { __provider: providerSource("customDomain"), domainType: undefined, verificationStatus: undefined, redirectForName: undefined, ...args },
      opts,
    );
  }
}
