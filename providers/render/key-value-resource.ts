/**
 * `RenderKeyValue`, the Pulumi resource for a Render Key Value instance. Its password and
 * connection strings are secret outputs; its provider travels in state as the bundle
 * `providerSource("keyValue")` returns.
 */
import * as pulumi from "@pulumi/pulumi";
import { type IpAllowEntry, type KeyValueInputs, SECRET_OUTPUTS } from "./key-value";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";

export type RenderKeyValueArgs = { [K in keyof Omit<KeyValueInputs, "ipAllowList">]: pulumi.Input<KeyValueInputs[K]> } & {
  ipAllowList?: pulumi.Input<pulumi.Input<IpAllowEntry>[]>;
};

/** A Render Key Value instance (token `pulumi-nodejs:dynamic/render:KeyValue`); its connection info is secret. */
export class RenderKeyValue extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly plan: pulumi.Output<string>;
  declare public readonly region: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<string>;
  declare public readonly version: pulumi.Output<string | undefined>;
  declare public readonly internalHost: pulumi.Output<string>;
  declare public readonly internalPort: pulumi.Output<number>;
  declare public readonly host: pulumi.Output<string>;
  declare public readonly port: pulumi.Output<number>;
  declare public readonly username: pulumi.Output<string | undefined>;
  declare public readonly password: pulumi.Output<string | undefined>;
  declare public readonly internalConnectionString: pulumi.Output<string>;
  declare public readonly externalConnectionString: pulumi.Output<string>;

  constructor(name: string, args: RenderKeyValueArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      `${DYNAMIC_TYPE_PREFIX}:KeyValue`,
      name,
      {
        __provider: providerSource("keyValue"),
        // Every output is named here, or the SDK never resolves it on the object.
        status: undefined,
        version: undefined,
        internalHost: undefined,
        internalPort: undefined,
        host: undefined,
        port: undefined,
        username: undefined,
        password: undefined,
        internalConnectionString: undefined,
        externalConnectionString: undefined,
        ...args,
      },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
    );
  }
}
