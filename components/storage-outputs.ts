// Kept free of SDK imports: the synth's fake stack outputs read it too.

/** Where `webstack backup` puts encrypted backups in a stack's own bucket; a lifecycle rule expires them. */
export const BACKUP_PREFIX = "webstack-backups/";

/** Names of the stack outputs a bucket owner exports and a shared `Storage` reads back; index.ts exports these names. */
export const STORAGE_STACK_OUTPUTS = {
  /** The owner's `webstack:environment`; a consumer refuses "production" without opt-in. */
  environment: "environment",
  bucketName: "bucketName",
  /** `https://<account>.r2.cloudflarestorage.com` (or the jurisdiction's); names the account and jurisdiction. */
  endpoint: "storageEndpoint",
  /** The S3 access key id (secret). */
  accessKeyId: "storageAccessKeyId",
  /** The S3 secret access key (secret). */
  secretAccessKey: "storageSecretAccessKey",
} as const;
