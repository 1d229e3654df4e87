/**
 * The part of @pulumi/random the components use, typed from its own module, as
 * cloudflare-resources.ts does for Cloudflare. At run time `random` is the package's index, as
 * `import * as random` gave.
 */
import type { RandomPassword } from "@pulumi/random/randomPassword";

export type { RandomPasswordArgs } from "@pulumi/random/randomPassword";
export type { RandomPassword };

export const random: {
  RandomPassword: typeof RandomPassword;
  // A plain require(): tsc leaves it unresolved (it checks the types above); Node loads the index.
} = require("@pulumi/random");
