import { createHash } from "node:crypto";
import { cloudflare, type AccountTokenArgs, type R2BucketArgs, type R2BucketCorsArgs, type R2BucketLifecycleArgs, type R2BucketLifecycleRule } from "./cloudflare-resources";
import * as pulumi from "@pulumi/pulumi";
import { isProductionStackName } from "./database-outputs";
import { SharingError } from "./shared-database";
import { BACKUP_PREFIX, STORAGE_STACK_OUTPUTS } from "./storage-outputs";
import { applyTransform, type ResourceTransform } from "./transform";
import { nameProblem } from "../providers/names";

export { STORAGE_STACK_OUTPUTS } from "./storage-outputs";

/** Where R2 keeps a bucket's objects; `default` is none in particular. */
export const R2Jurisdiction = { default: "default", eu: "eu", fedramp: "fedramp" } as const;
export type R2Jurisdiction = (typeof R2Jurisdiction)[keyof typeof R2Jurisdiction];

/**
 * The one permission group a bucket's token needs. Cloudflare's R2 token page
 * (developers.cloudflare.com/r2/api/tokens, "Permissions", read 2026-12-04) maps "Workers R2
 * Storage Bucket Item Write" to Object Read & Write, so Item Read would add nothing. One group
 * also leaves no order for Cloudflare to read back differently (a perpetual diff otherwise).
 * Its id is looked up by this name.
 */
export const BUCKET_ITEM_PERMISSION_GROUPS = ["Workers R2 Storage Bucket Item Write"] as const;

const ACCOUNT_ID = /^[0-9a-f]{32}$/;
/** R2 bucket names: 3–63 lower-case letters, digits and '-', starting and ending with a letter or digit (providers/names.ts). */
const validBucketName = (name: unknown) => typeof name === "string" && nameProblem("r2Bucket", name) === undefined;

/** The S3 endpoint of an account's buckets in a jurisdiction (jurisdictional buckets have their own host). */
export function r2Endpoint(accountId: string, jurisdiction: R2Jurisdiction = "default"): string {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`r2Endpoint: '${accountId}' is not a 32-character Cloudflare account id`);
  return `https://${accountId}.${jurisdiction === "default" ? "" : `${jurisdiction}.`}r2.cloudflarestorage.com`;
}

/** The account and jurisdiction an endpoint from `r2Endpoint` names. */
export function parseR2Endpoint(endpoint: string): { accountId: string; jurisdiction: R2Jurisdiction } {
  const m = /^https:\/\/([0-9a-f]{32})\.(?:(eu|fedramp)\.)?r2\.cloudflarestorage\.com\/?$/.exec(endpoint ?? "");
  if (!m) throw new Error(`'${endpoint}' is not an R2 endpoint (https://<account id>[.eu|.fedramp].r2.cloudflarestorage.com)`);
  return { accountId: m[1]!, jurisdiction: (m[2] ?? "default") as R2Jurisdiction };
}

/** R2's S3 secret access key for an API token: the lowercase hex SHA-256 of the token's value. */
export function s3SecretAccessKey(tokenValue: string): string {
  if (!tokenValue) throw new Error("s3SecretAccessKey: the token value is empty");
  return createHash("sha256").update(tokenValue, "utf8").digest("hex");
}

/**
 * The token-policy resource key of exactly one bucket,
 * `com.cloudflare.edge.r2.bucket.<account>_<jurisdiction>_<bucket>`. Throws rather than widen the
 * scope: an empty or wildcard name would reach every bucket of the account.
 */
export function bucketResourceKey(accountId: string, jurisdiction: R2Jurisdiction, bucketName: string): string {
  if (!ACCOUNT_ID.test(accountId ?? "")) throw new Error(`refusing a token scope without a valid account id ('${accountId}')`);
  if (!Object.values(R2Jurisdiction).includes(jurisdiction)) throw new Error(`refusing a token scope with jurisdiction '${jurisdiction}'`);
  if (!validBucketName(bucketName)) throw new Error(`refusing a token scope without one bucket's name ('${bucketName ?? ""}')`);
  return `com.cloudflare.edge.r2.bucket.${accountId}_${jurisdiction}_${bucketName}`;
}

/** The one policy of a bucket's token: its permission groups on that bucket and nothing else. */
export function bucketTokenPolicy(accountId: string, jurisdiction: R2Jurisdiction, bucketName: string, permissionGroupIds: string[]) {
  if (permissionGroupIds.length === 0 || permissionGroupIds.some((id) => !/^[0-9a-f]{32}$/.test(id))) {
    throw new Error("refusing a token policy without its permission group ids");
  }
  // In @pulumi/cloudflare v6.12+ `resources` is a JSON string.
  return { effect: "allow", permissionGroups: permissionGroupIds.map((id) => ({ id })), resources: JSON.stringify({ [bucketResourceKey(accountId, jurisdiction, bucketName)]: "*" }) };
}

/** The id of the permission group with exactly this name, from Cloudflare's list. */
export function permissionGroupId(groups: readonly { id: string; name: string; scopes?: readonly string[] }[] | undefined, name: string): string {
  // An answer without a list is read as an empty one: the error below names what is missing.
  const exact = (groups ?? []).filter((g) => g.name === name);
  const bucketScoped = exact.filter((g) => !g.scopes || g.scopes.some((s) => s.includes("r2.bucket")));
  const found = bucketScoped.length === 1 ? bucketScoped : exact;
  if (found.length !== 1) {
    throw new Error(`Cloudflare lists ${found.length} API token permission groups named '${name}'; expected one (check the account's R2 subscription)`);
  }
  return found[0]!.id;
}

/** An optional lifecycle rule for the objects under one prefix. */
export interface StorageLifecycle {
  /** Objects under this prefix; "" (the default) is the whole bucket. @example "tmp/" */
  prefix?: string;
  /** Delete objects this many days after upload. @example 30 */
  expireAfterDays?: number;
  /** Abort unfinished multipart uploads after this many days. Default 7 (R2's own default rule). */
  abortMultipartAfterDays?: number;
}

export interface StorageArgs {
  /**
   * Use another stack's bucket instead of creating one (fully qualified). This stack gets its own
   * token scoped to that bucket and its own `keyPrefix`. @example "acme/webstack/staging"
   */
  from?: string;
  /** With `from`: share from a production owner stack, a conscious opt-in to production data. */
  allowProductionData?: boolean;
  /**
   * Where this stack's objects go: `<stack>/` with `from`, else "" (the whole bucket). The token
   * still reaches the whole bucket (R2 scopes tokens to buckets, not prefixes). @example "pr-42/"
   */
  keyPrefix?: string;
  /** Cloudflare account of the bucket (not with `from`). @example "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60" */
  accountId?: pulumi.Input<string>;
  /** Bucket name, unique in the account (not with `from`). @example "ott-prod-files" */
  bucketName?: string;
  /** Jurisdiction; `eu` keeps objects in the EU and uses the `.eu.` endpoint. Default `default`. Fixed once created. */
  jurisdiction?: R2Jurisdiction;
  /** Location hint, honoured only when the bucket is first created. @example "weur" */
  location?: string;
  /** Origins whose browsers may upload and download with presigned URLs. @example ["https://app.example.com"] */
  corsOrigins?: string[];
  /** Request headers browsers may send. Default `["content-type"]` (R2 takes no `*` here). */
  corsHeaders?: string[];
  /** Delete old objects, and abandoned multipart uploads. @example { prefix: "tmp/", expireAfterDays: 7 } */
  lifecycle?: StorageLifecycle;
  /** Days to keep `webstack backup`'s encrypted backups (under `webstack-backups/`), as a second lifecycle rule. @example 30 */
  backupRetentionDays?: number;
  /** Protect the bucket and its token and keep the bucket if removed from the program (production). */
  protect?: boolean;
}

export interface StorageOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    bucket?: ResourceTransform<R2BucketArgs>;
    cors?: ResourceTransform<R2BucketCorsArgs>;
    lifecycle?: ResourceTransform<R2BucketLifecycleArgs>;
    /** The API token the S3 credentials come from. */
    token?: ResourceTransform<AccountTokenArgs>;
    /** The StackReference to the owner stack, with `from`. */
    reference?: ResourceTransform<pulumi.StackReferenceArgs>;
  };
}

const ALLOW_KEY = "webstack:storage.allowProductionData";
const DAY = 86_400;

/** Each Storage's check of its owner, kept off the instance (the multi-language schema maps instance properties to outputs). */
const readiness = new WeakMap<Storage, Promise<void>>();

function refuse(from: string, why: string): SharingError {
  return new SharingError(
    `Refusing to share the bucket of ${from}: ${why}. This stack would read and overwrite production's files. ` +
      `If that is intended, set ${ALLOW_KEY}: true (Storage arg allowProductionData).`,
  );
}

function validate(name: string, args: StorageArgs, keyPrefix: string): void {
  const fail = (key: string, message: string): never => {
    throw new Error(`Storage '${name}': ${key} ${message}`);
  };
  if (keyPrefix !== "" && !/^[^/\s][^\s]{0,254}\/$/.test(keyPrefix)) fail("keyPrefix", `'${keyPrefix}' must be empty or end with '/' (no leading '/', no spaces)`);
  if (args.from !== undefined) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(args.from)) fail("from", `must be '<org>/<project>/<stack>', got '${args.from}'`);
    for (const k of ["accountId", "bucketName", "jurisdiction", "location", "corsOrigins", "corsHeaders", "lifecycle", "backupRetentionDays"] as const) {
      if (args[k] !== undefined) fail(k, "belongs to the owner stack's bucket; remove it here (with 'from' this stack uses that bucket)");
    }
    if (isProductionStackName(args.from) && !args.allowProductionData) throw refuse(args.from, "its stack name says production");
    return;
  }
  if (args.accountId === undefined) fail("accountId", "is required (or 'from', to use another stack's bucket)");
  if (typeof args.accountId === "string" && !ACCOUNT_ID.test(args.accountId)) fail("accountId", `'${args.accountId}' is not a 32-character Cloudflare account id`);
  if (typeof args.bucketName !== "string") fail("bucketName", "is required (or 'from', to use another stack's bucket)");
  const bucketProblem = nameProblem("r2Bucket", args.bucketName!);
  if (bucketProblem) fail("bucketName", `'${args.bucketName}' ${bucketProblem}`);
  if (args.jurisdiction !== undefined && !Object.values(R2Jurisdiction).includes(args.jurisdiction)) fail("jurisdiction", "must be 'default', 'eu' or 'fedramp'");
  (args.corsOrigins ?? []).forEach((o, i) => {
    // Exact origins, or "*" for any: whether R2 takes partial wildcards is unconfirmed.
    if (o !== "*" && !/^https?:\/\/[a-z0-9.-]+(:\d+)?$/.test(o)) fail(`corsOrigins[${i}]`, `'${o}' must be an origin such as 'https://app.example.com' (no path, no partial wildcard)`);
  });
  if ((args.corsHeaders ?? []).includes("*")) fail("corsHeaders", "cannot hold '*': R2 needs each header named");
  if (args.backupRetentionDays !== undefined && !(Number.isInteger(args.backupRetentionDays) && args.backupRetentionDays >= 1)) fail("backupRetentionDays", "must be a whole number of days >= 1");
  const l = args.lifecycle;
  if (l) {
    for (const k of ["expireAfterDays", "abortMultipartAfterDays"] as const) {
      if (l[k] !== undefined && !(Number.isInteger(l[k]) && l[k]! >= 1)) fail(`lifecycle.${k}`, "must be a whole number of days >= 1");
    }
  }
}

/**
 * S3-compatible object storage for one stack on Cloudflare R2: its own bucket (CORS for the
 * stack's frontend origins, an optional lifecycle rule), or another stack's (`from`) under its own
 * prefix; in both cases an API token scoped to that one bucket, from which the S3 credentials
 * follow (access key id = token id, secret = SHA-256 of the token value).
 */
export class Storage extends pulumi.ComponentResource {
  /** `S3_BUCKET`: the bucket's name (the owner's with `from`). */
  public readonly bucketName: pulumi.Output<string>;
  /** `S3_ENDPOINT_URL`. */
  public readonly endpoint: pulumi.Output<string>;
  /** `S3_REGION`: R2 takes `auto`. */
  public readonly region: string;
  /** `S3_ACCESS_KEY_ID`: the token's id (secret). */
  public readonly accessKeyId: pulumi.Output<string>;
  /** `S3_SECRET_ACCESS_KEY` (secret). */
  public readonly secretAccessKey: pulumi.Output<string>;
  /** Where this stack's objects go ("" for the whole bucket). */
  public readonly keyPrefix: string;

  constructor(name: string, args: StorageArgs, opts: StorageOptions = {}) {
    const stack = pulumi.getStack();
    const keyPrefix = args.keyPrefix ?? (args.from !== undefined ? `${stack}/` : "");
    // Everything is checked before the component registers, so bad input registers nothing.
    validate(name, args, keyPrefix);
    const { transform = {}, ...componentOpts } = opts;
    super("webstack:index:Storage", name, {}, componentOpts);

    const keep: pulumi.CustomResourceOptions = args.protect ? { protect: true, retainOnDelete: true } : {};
    let bucketName: pulumi.Output<string>;
    let accountId: pulumi.Output<string>;
    let jurisdiction: pulumi.Output<R2Jurisdiction>;
    let endpoint: pulumi.Output<string>;

    if (args.from !== undefined) {
      const from = args.from;
      const allow = args.allowProductionData === true;
      const [refArgs, refOpts] = applyTransform(transform.reference, { name: from } as pulumi.StackReferenceArgs, { parent: this });
      const ref = new pulumi.StackReference(`${name}-owner`, refArgs, refOpts);
      const value = (d: pulumi.StackReferenceOutputDetails) => d.value ?? d.secretValue;
      // Read as plain promises, so a refusal can stop the program (ready()) before anything uses the bucket.
      const checked: Promise<{ bucketName: string; endpoint: string; accountId: string; jurisdiction: R2Jurisdiction }> = Promise.all(
        [STORAGE_STACK_OUTPUTS.environment, STORAGE_STACK_OUTPUTS.bucketName, STORAGE_STACK_OUTPUTS.endpoint].map((o) => ref.getOutputDetails(o)),
      ).then(([env, bucket, url]) => {
        // The owner declares what it is; a missing declaration counts as production.
        const environment = value(env!);
        if (!allow && environment === "production") throw refuse(from, "its environment is production");
        if (!allow && (environment === undefined || environment === null)) {
          throw refuse(from, `it exports no '${STORAGE_STACK_OUTPUTS.environment}' output, so it may hold production data`);
        }
        for (const [output, d] of [[STORAGE_STACK_OUTPUTS.bucketName, bucket!], [STORAGE_STACK_OUTPUTS.endpoint, url!]] as const) {
          const v = value(d);
          if (typeof v !== "string" || !v) {
            throw new SharingError(`${from} exports no '${output}': give it a webstack:storage section with mode 'own' and run 'pulumi up' there first.`);
          }
        }
        const endpoint = value(url!) as string;
        return { bucketName: value(bucket!) as string, endpoint, ...parseR2Endpoint(endpoint) };
      });
      const ready = checked.then(() => undefined);
      // Whoever awaits ready() gets the refusal; the outputs below carry it too, so it is never lost.
      ready.catch(() => undefined);
      readiness.set(this, ready);
      // Through the reference's output, so whatever uses these depends on the reference.
      const owner = ref.getOutput(STORAGE_STACK_OUTPUTS.bucketName).apply(() => checked);
      bucketName = owner.bucketName;
      endpoint = owner.endpoint;
      accountId = owner.accountId;
      jurisdiction = owner.jurisdiction;
    } else {
      readiness.set(this, Promise.resolve());
      const j = args.jurisdiction ?? "default";
      const [bArgs, bOpts] = applyTransform<R2BucketArgs>(
        transform.bucket,
        {
          accountId: args.accountId!,
          name: args.bucketName!,
          jurisdiction: j,
          ...(args.location !== undefined ? { location: args.location } : {}),
        },
        // Uploaded files are data: production keeps its bucket through a destroy or a removed section.
        { parent: this, ...keep },
      );
      const bucket = new cloudflare.R2Bucket(name, bArgs, bOpts);
      // Everything below names the bucket through its output, so it waits for the bucket to exist.
      bucketName = bucket.name;
      accountId = bucket.accountId;
      jurisdiction = pulumi.output(j);
      endpoint = pulumi.output(args.accountId!).apply((a) => r2Endpoint(a, j));

      const origins = [...new Set(args.corsOrigins ?? [])];
      if (origins.length) {
        const [cArgs, cOpts] = applyTransform<R2BucketCorsArgs>(
          transform.cors,
          {
            accountId: bucket.accountId,
            bucketName: bucket.name,
            jurisdiction: j,
            rules: [
              {
                id: "browser-presigned-urls",
                allowed: { origins, methods: ["GET", "PUT", "HEAD"], headers: args.corsHeaders ?? ["content-type"] },
                // Multipart uploads read each part's ETag.
                exposeHeaders: ["ETag"],
                maxAgeSeconds: 3600,
              },
            ],
          },
          // One CORS policy per bucket: a replacement must not delete the new one after creating it.
          { parent: this, deleteBeforeReplace: true },
        );
        new cloudflare.R2BucketCors(`${name}-cors`, cArgs, cOpts);
      }
      const l = args.lifecycle;
      const keepBackups = args.backupRetentionDays;
      if (l || keepBackups !== undefined) {
        const rules: R2BucketLifecycleRule[] = [];
        if (l) {
          rules.push({
            id: "webstack-lifecycle",
            enabled: true,
            conditions: { prefix: l.prefix ?? "" },
            ...(l.expireAfterDays !== undefined ? { deleteObjectsTransition: { condition: { type: "Age", maxAge: l.expireAfterDays * DAY } } } : {}),
            abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: (l.abortMultipartAfterDays ?? 7) * DAY } },
          });
        }
        if (keepBackups !== undefined) {
          rules.push({
            id: "webstack-backups",
            enabled: true,
            conditions: { prefix: BACKUP_PREFIX },
            deleteObjectsTransition: { condition: { type: "Age", maxAge: keepBackups * DAY } },
            abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * DAY } },
          });
        }
        const [lArgs, lOpts] = applyTransform<R2BucketLifecycleArgs>(
          transform.lifecycle,
          {
            accountId: bucket.accountId,
            bucketName: bucket.name,
            jurisdiction: j,
            rules,
          },
          { parent: this, deleteBeforeReplace: true },
        );
        new cloudflare.R2BucketLifecycle(`${name}-lifecycle`, lArgs, lOpts);
      }
    }

    // Looked up by name: only the Item Read group's id is documented; ids are the same for user and account tokens.
    const groups = cloudflare.getApiTokenPermissionGroupsListOutput({}, { parent: this }).results;
    const groupIds = groups.apply((all) => BUCKET_ITEM_PERMISSION_GROUPS.map((n) => permissionGroupId(all, n)));
    // Owned by the account, not by the user who deploys: its S3 keys outlive that user's membership
    // (r2/api/tokens: a user token "become[s] inactive if your user is removed from the account").
    const [tArgs, tOpts] = applyTransform<AccountTokenArgs>(
      transform.token,
      {
        accountId,
        name: pulumi.interpolate`${bucketName} objects read/write (${pulumi.getProject()}/${stack})`,
        // Built from the bucket's own name: a token is never made without its one-bucket scope.
        policies: pulumi.all([accountId, jurisdiction, bucketName, groupIds]).apply(([a, j, b, ids]) => [bucketTokenPolicy(a, j, b, ids)]),
      },
      // Protected, not retained: a token left behind would be a live credential.
      { parent: this, ...(args.protect ? { protect: true } : {}) },
    );
    const token = new cloudflare.AccountToken(`${name}-token`, tArgs, tOpts);

    this.bucketName = bucketName;
    this.endpoint = endpoint;
    this.region = "auto";
    this.accessKeyId = pulumi.secret(token.id);
    this.secretAccessKey = pulumi.secret(token.value.apply(s3SecretAccessKey));
    this.keyPrefix = keyPrefix;

    this.registerOutputs({
      bucketName: this.bucketName,
      endpoint: this.endpoint,
      region: this.region,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
      keyPrefix: this.keyPrefix,
    });
  }

  /**
   * Resolves once the owner stack (with `from`) has been checked, or rejects with its one-line
   * refusal. Await it before creating what uses the bucket; a bucket of its own is ready at once.
   */
  ready(): Promise<void> {
    return readiness.get(this)!;
  }
}
