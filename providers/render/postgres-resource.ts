/**
 * `RenderPostgres`, the Pulumi resource programs create. Its connection info (password and
 * connection strings) is a secret output; its provider travels in state as the bundle
 * `providerSource("postgres")` returns.
 */
import * as pulumi from "@pulumi/pulumi";
import { type PostgresInputs, SECRET_OUTPUTS } from "./postgres";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";

export type RenderPostgresArgs = { [K in keyof PostgresInputs]: pulumi.Input<PostgresInputs[K]> };

/** A Render Postgres database (token `pulumi-nodejs:dynamic/render:Postgres`); connection info is secret. */
export class RenderPostgres extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly host: pulumi.Output<string>;
  declare public readonly port: pulumi.Output<number>;
  declare public readonly internalHost: pulumi.Output<string>;
  declare public readonly databaseName: pulumi.Output<string>;
  declare public readonly databaseUser: pulumi.Output<string>;
  declare public readonly password: pulumi.Output<string>;
  declare public readonly externalConnectionString: pulumi.Output<string>;
  declare public readonly internalConnectionString: pulumi.Output<string>;
  declare public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: RenderPostgresArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      `${DYNAMIC_TYPE_PREFIX}:Postgres`,
      name,
      {
        __provider: providerSource("postgres"),
        host: undefined,
        port: undefined,
        internalHost: undefined,
        password: undefined,
        externalConnectionString: undefined,
        internalConnectionString: undefined,
        dashboardUrl: undefined,
        requestedDatabaseName: undefined,
        // An output even when not requested: Render picks the name (or suffixes the requested one),
        // and the admin connection must use it. Only keys passed here become outputs.
        databaseName: undefined,
        databaseUser: undefined,
        ...args,
      },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
    );
  }
}
