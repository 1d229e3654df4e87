/**
 * The part of @pulumiverse/vercel the components use, typed from the resources' own modules, as
 * cloudflare-resources.ts does for Cloudflare: the package's index.d.ts would have tsc read all of
 * its declarations in the build and in each consumer's type-check. At run time `vercel` is the
 * package's index, as `import * as vercel` gave.
 */
import type { CustomEnvironment } from "@pulumiverse/vercel/customEnvironment";
import type { Project } from "@pulumiverse/vercel/project";
import type { ProjectDomain } from "@pulumiverse/vercel/projectDomain";
import type { ProjectEnvironmentVariable } from "@pulumiverse/vercel/projectEnvironmentVariable";
import type { ProjectProtectionBypass } from "@pulumiverse/vercel/projectProtectionBypass";

export type { CustomEnvironmentArgs } from "@pulumiverse/vercel/customEnvironment";
export type { ProjectArgs } from "@pulumiverse/vercel/project";
export type { ProjectDomainArgs } from "@pulumiverse/vercel/projectDomain";
export type { ProjectEnvironmentVariableArgs } from "@pulumiverse/vercel/projectEnvironmentVariable";
export type { ProjectProtectionBypassArgs } from "@pulumiverse/vercel/projectProtectionBypass";

export const vercel: {
  CustomEnvironment: typeof CustomEnvironment;
  Project: typeof Project;
  ProjectDomain: typeof ProjectDomain;
  ProjectEnvironmentVariable: typeof ProjectEnvironmentVariable;
  ProjectProtectionBypass: typeof ProjectProtectionBypass;
  // A plain require(): tsc leaves it unresolved (it checks the types above); Node loads the index.
} = require("@pulumiverse/vercel");
