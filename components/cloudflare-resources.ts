/**
 * The part of @pulumi/cloudflare the components use, typed from the resources' own modules. The
 * package's index.d.ts names all of its ~780 resources, and tsc reads every one of their
 * declarations wherever that index is imported: in the build and in each consumer's type-check of
 * this package's .d.ts. At run time `cloudflare` is the package's index, as `import * as
 * cloudflare` gave: it registers the package's resource modules and loads each resource on first use.
 */
import type { AccountToken } from "@pulumi/cloudflare/accountToken";
import type { getApiTokenPermissionGroupsListOutput } from "@pulumi/cloudflare/getApiTokenPermissionGroupsList";
import type { R2Bucket } from "@pulumi/cloudflare/r2bucket";
import type { R2BucketCors } from "@pulumi/cloudflare/r2bucketCors";
import type { R2BucketLifecycle } from "@pulumi/cloudflare/r2bucketLifecycle";
import type { WorkersCronTrigger } from "@pulumi/cloudflare/workersCronTrigger";
import type { WorkersKvNamespace } from "@pulumi/cloudflare/workersKvNamespace";
import type { WorkersScript } from "@pulumi/cloudflare/workersScript";
import type { WorkersScriptSubdomain } from "@pulumi/cloudflare/workersScriptSubdomain";

export type { AccountTokenArgs } from "@pulumi/cloudflare/accountToken";
export type { R2BucketArgs } from "@pulumi/cloudflare/r2bucket";
export type { R2BucketCorsArgs } from "@pulumi/cloudflare/r2bucketCors";
export type { R2BucketLifecycleArgs } from "@pulumi/cloudflare/r2bucketLifecycle";
export type { R2BucketLifecycleRule, WorkersScriptBinding } from "@pulumi/cloudflare/types/input";
export type { WorkersCronTriggerArgs } from "@pulumi/cloudflare/workersCronTrigger";
export type { WorkersKvNamespaceArgs } from "@pulumi/cloudflare/workersKvNamespace";
export type { WorkersScriptArgs } from "@pulumi/cloudflare/workersScript";
export type { WorkersScriptSubdomainArgs } from "@pulumi/cloudflare/workersScriptSubdomain";

export const cloudflare: {
  AccountToken: typeof AccountToken;
  getApiTokenPermissionGroupsListOutput: typeof getApiTokenPermissionGroupsListOutput;
  R2Bucket: typeof R2Bucket;
  R2BucketCors: typeof R2BucketCors;
  R2BucketLifecycle: typeof R2BucketLifecycle;
  WorkersCronTrigger: typeof WorkersCronTrigger;
  WorkersKvNamespace: typeof WorkersKvNamespace;
  WorkersScript: typeof WorkersScript;
  WorkersScriptSubdomain: typeof WorkersScriptSubdomain;
  // A plain require(): tsc leaves it unresolved (it checks the types above); Node loads the index.
} = require("@pulumi/cloudflare");
