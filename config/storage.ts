import { z } from "zod";
import type { StorageArgs } from "../components/storage";
import { allowProductionData, oneOf, productionSharingGuard, stackRef } from "./common";
import { cloudName } from "./naming";

const enabled = z.boolean().optional().describe("Create the storage; defaults to false in preview stacks, true elsewhere.");

const own = z
  .object({
    mode: z.literal("own").describe("'own': this stack's bucket; 'shared': another stack's, under this stack's prefix with its own token."),
    enabled,
    accountId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "expected a 32-character Cloudflare account id")
      .describe("Cloudflare account of the R2 bucket (R2 must be purchased there)."),
    jurisdiction: oneOf(["default", "eu", "fedramp"])
      .default("default")
      .describe("Where R2 keeps the objects; 'eu' also changes the endpoint. Fixed once the bucket exists."),
    location: oneOf(["apac", "eeur", "enam", "weur", "wnam", "oc"]).optional().describe("Location hint, honoured when the bucket is first created."),
    lifecycle: z
      .object({
        prefix: z.string().default("").describe("Objects under this prefix; '' is the whole bucket."),
        expireAfterDays: z.number().int().min(1).optional().describe("Delete objects this many days after upload."),
        abortMultipartAfterDays: z.number().int().min(1).default(7).describe("Abort unfinished multipart uploads after this many days."),
      })
      .strict()
      .optional()
      .describe("A lifecycle rule, e.g. {expireAfterDays: 30} for a bucket that only holds short-lived files."),
  })
  .strict();

const shared = z
  .object({
    mode: z.literal("shared"),
    enabled,
    from: stackRef.describe("Owner stack of the bucket, e.g. 'acme/webstack/staging'; this stack writes under '<stack>/' with its own token."),
    allowProductionData,
  })
  .strict()
  .superRefine(productionSharingGuard);

export const storageSchema = z
  .discriminatedUnion("mode", [own, shared], {
    error: (iss) => (iss.code === "invalid_union" ? "expected 'own' | 'shared'" : undefined),
  })
  .describe("S3-compatible object storage on Cloudflare R2 (S3_* variables): an 'own' bucket, or 'shared' from another stack.");

export type StorageConfig = z.infer<typeof storageSchema>;

interface StorageSections {
  environment?: string;
  app?: { name: string };
  backend?: unknown;
  storage?: StorageConfig;
  backup?: { retentionDays: number };
}

/** Whether the stack gets storage: pull-request stacks only when they ask for it. */
export function storageEnabled(c: StorageSections): boolean {
  return !!c.storage && (c.storage.enabled ?? c.environment !== "preview");
}

/** Rules between `storage` and the sections it depends on. */
export function storageCrossIssues(c: StorageSections): { path: (string | number)[]; message: string }[] {
  const s = c.storage;
  if (!s) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (!c.backend && storageEnabled(c)) issues.push({ path: ["storage"], message: "needs webstack:backend, the only holder of its credentials" });
  if (c.environment === "production" && s.mode === "shared") issues.push({ path: ["storage", "mode"], message: "production stacks own their bucket: use 'own'" });
  return issues;
}

/**
 * The `Storage` args for a valid config; CORS takes the frontend's exact origins (whether R2 takes
 * partial wildcards such as Vercel's preview pattern is unconfirmed, so those are left out). Pure.
 */
export function storageArgs(c: Required<Pick<StorageSections, "app">> & StorageSections, stack: string, frontendOrigins: readonly string[]): StorageArgs | undefined {
  const s = c.storage;
  if (!s || !storageEnabled(c)) return undefined;
  if (s.mode === "shared") return { from: s.from, allowProductionData: s.allowProductionData };
  return {
    accountId: s.accountId,
    bucketName: cloudName(c.app.name, stack, "files"),
    jurisdiction: s.jurisdiction,
    ...(s.location ? { location: s.location } : {}),
    corsOrigins: frontendOrigins.filter((o) => !o.includes("*")),
    ...(s.lifecycle ? { lifecycle: s.lifecycle } : {}),
    ...(c.backup ? { backupRetentionDays: c.backup.retentionDays } : {}),
    protect: c.environment === "production",
  };
}
