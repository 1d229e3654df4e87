/**
 * `RenderProject` and `RenderEnvironment`, the Pulumi resources for a Render project and for one
 * environment in it. Their providers travel in state as the bundles `providerSource` returns.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentInputs, EnvironmentSpec, ProjectInputs } from "./project";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";

export type RenderProjectArgs = {
  ownerId: pulumi.Input<string>;
  name: pulumi.Input<string>;
  environments: pulumi.Input<pulumi.Input<EnvironmentSpec>[]>;
};

/** A Render project with the environments it is created with (token `pulumi-nodejs:dynamic/render:Project`). */
export class RenderProject extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly environments: pulumi.Output<ProjectInputs["environments"]>;
  /** Environment name → id (`evm-…`). */
  declare public readonly environmentIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: RenderProjectArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:Project`, name, { __provider: providerSource("project"), environmentIds: undefined, ...args }, opts);
  }
}

export type RenderEnvironmentArgs = { [K in keyof EnvironmentInputs]: pulumi.Input<EnvironmentInputs[K]> };

/** One environment in a Render project (token `pulumi-nodejs:dynamic/render:Environment`). */
export class RenderEnvironment extends pulumi.CustomResource {
  declare public readonly projectId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly protected: pulumi.Output<boolean>;

  constructor(name: string, args: RenderEnvironmentArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:Environment`, name, { __provider: providerSource("environment"), ...args }, opts);
  }
}
