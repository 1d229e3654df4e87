/**
 * `RenderService`, the Pulumi resource programs create. Its provider travels in state as the
 * bundle `providerSource("service")` returns.
 */
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";
import type { AutoscalingSpec, DiskSpec, ServiceInputs } from "./service";

type Inputify<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export type RenderServiceArgs = Inputify<Omit<ServiceInputs, "envVars" | "autoscaling" | "disk">> & {
  autoscaling?: pulumi.Input<AutoscalingSpec>;
  disk?: pulumi.Input<DiskSpec>;
  /** Values may be secrets; the whole map is stored as a secret either way. */
  envVars?: pulumi.Input<Record<string, pulumi.Input<string>>>;
};

/** A Render service managed through Render's REST API (token `pulumi-nodejs:dynamic/render:Service`). */
export class RenderService extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly url: pulumi.Output<string | undefined>;
  declare public readonly slug: pulumi.Output<string>;
  declare public readonly dashboardUrl: pulumi.Output<string>;
  declare public readonly deployId: pulumi.Output<string | undefined>;
  declare public readonly envVars: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: RenderServiceArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      `${DYNAMIC_TYPE_PREFIX}:Service`,
      name,
      {
        __provider: providerSource("service"),
        url: undefined,
        slug: undefined,
        dashboardUrl: undefined,
        deployId: undefined,
        diskId: undefined,
        ...args,
        envVars: args.envVars === undefined ? undefined : pulumi.secret(args.envVars),
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "envVars"],
      },
    );
  }
}
