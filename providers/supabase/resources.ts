/**
 * `SupabaseProject` and `SupabaseBucket`, the Pulumi resources programs create. Keys, the password
 * and the connection URLs are secret outputs; the providers travel in state as bundles.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BucketInputs } from "./bucket";
import type { LoginCheckInputs } from "./login-check";
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

export type PoolerLoginCheckArgs = { [K in keyof LoginCheckInputs]: pulumi.Input<LoginCheckInputs[K]> };

/**
 * Signs in through the shared pooler as each role the stack hands out, once per new role or
 * password (token `pulumi-nodejs:dynamic/supabase:LoginCheck`); see login-check.ts.
 */
export class PoolerLoginCheck extends pulumi.CustomResource {
  declare public readonly checked: pulumi.Output<string[]>;

  constructor(name: string, args: PoolerLoginCheckArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(`${DYNAMIC_TYPE_PREFIX}:LoginCheck`, name, { __provider: providerSource("loginCheck"), checked: undefined, ...args }, {
      ...opts,
      additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "urls"],
    });
  }
}
