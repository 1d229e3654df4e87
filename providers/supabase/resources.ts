/**
 * `SupabaseProject` and `SupabaseBucket`, the Pulumi resources programs create. Keys, the password
 * and the connection URLs are secret outputs; the providers travel in state as bundles.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BucketInputs } from "./bucket";
import { type ProjectInputs, SECRET_OUTPUTS } from "./project";
import { DYNAMIC_TYPE_PREFIX, providerSource } from "./provider-source";

export type SupabaseProjectArgs = { [K in keyof ProjectInputs]: pulumi.Input<ProjectInputs[K]> };

/** A Supabase project (token `pulumi-nodejs:dynamic/supabase:Project`). */
export class SupabaseProject extends pulumi.CustomResource {
  declare public readonly ref: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<string>;
  declare public readonly apiUrl: pulumi.Output<string>;
  declare public readonly anonKey: pulumi.Output<string>;
  declare public readonly serviceRoleKey: pulumi.Output<string>;
  declare public readonly dbPassword: pulumi.Output<string>;
  declare public readonly poolerHost: pulumi.Output<string>;
  declare public readonly poolerUser: pulumi.Output<string>;
  declare public readonly directHost: pulumi.Output<string>;
  declare public readonly sessionUrl: pulumi.Output<string>;
  declare public readonly transactionUrl: pulumi.Output<string>;
  declare public readonly directUrl: pulumi.Output<string>;

  constructor(name: string, args: SupabaseProjectArgs, opts: pulumi.CustomResourceOptions = {}) {
    const outs = ["ref", "status", "apiUrl", "anonKey", "serviceRoleKey", "dbPassword", "poolerHost", "poolerUser", "directHost", "sessionUrl", "transactionUrl", "directUrl", "postgresVersion"];
    super(
      `${DYNAMIC_TYPE_PREFIX}:Project`,
      name,
      { __provider: providerSource("project"), ...Object.fromEntries(outs.map((k) => [k, undefined])), ...args },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
    );
  }
}

export type SupabaseBucketArgs = { [K in keyof BucketInputs]: pulumi.Input<BucketInputs[K]> };

/** A Supabase Storage bucket (token `pulumi-nodejs:dynamic/supabase:Bucket`), private unless `public: true`. */
export class SupabaseBucket extends pulumi.CustomResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly fileSizeLimitBytes: pulumi.Output<number>;

  constructor(name: string, args: SupabaseBucketArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:Bucket`, name, { __provider: providerSource("bucket"), fileSizeLimitBytes: undefined, ...args }, opts);
  }
}
