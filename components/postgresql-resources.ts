/**
 * The part of @pulumi/postgresql the components use, typed from the resources' own modules, as
 * cloudflare-resources.ts does for Cloudflare. At run time `postgresql` is the package's index, as
 * `import * as postgresql` gave.
 */
import type { Database } from "@pulumi/postgresql/database";
import type { DefaultPrivileges } from "@pulumi/postgresql/defaultPrivileges";
import type { Grant } from "@pulumi/postgresql/grant";
import type { GrantRole } from "@pulumi/postgresql/grantRole";
import type { Provider } from "@pulumi/postgresql/provider";
import type { Role } from "@pulumi/postgresql/role";

export type { DatabaseArgs } from "@pulumi/postgresql/database";
export type { DefaultPrivilegesArgs } from "@pulumi/postgresql/defaultPrivileges";
export type { GrantArgs } from "@pulumi/postgresql/grant";
export type { GrantRoleArgs } from "@pulumi/postgresql/grantRole";
export type { ProviderArgs } from "@pulumi/postgresql/provider";
export type { RoleArgs } from "@pulumi/postgresql/role";
export type { Provider as PostgresqlProvider };

export const postgresql: {
  Database: typeof Database;
  DefaultPrivileges: typeof DefaultPrivileges;
  Grant: typeof Grant;
  GrantRole: typeof GrantRole;
  Provider: typeof Provider;
  Role: typeof Role;
  // A plain require(): tsc leaves it unresolved (it checks the types above); Node loads the index.
} = require("@pulumi/postgresql");
