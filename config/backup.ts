import { z } from "zod";
import { BACKUP_PREFIX } from "../components/storage-outputs";

/** An age X25519 public key, as `age-keygen` prints it (Bech32, 62 characters). */
export const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

export const backupSchema = z
  .object({
    recipient: z
      .string()
      .regex(AGE_RECIPIENT, "expected an age public key: 'age1' and 58 more characters, as `age-keygen -y KEYFILE` prints")
      .describe(
        "age public key `webstack backup` encrypts every dump to before it leaves the machine, e.g. 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'. The private key stays with the people who may restore.",
      ),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(30)
      .describe(`Days the stack's bucket keeps each encrypted backup (an R2 lifecycle rule on '${BACKUP_PREFIX}').`),
  })
  .strict()
  .describe("Encrypted database backups: `webstack backup` encrypts to `recipient` and uploads to the stack's own R2 bucket (needs webstack:storage mode 'own').");

export type BackupConfig = z.infer<typeof backupSchema>;

/** Backups go to the stack's own bucket, and only a stack that owns its database has data to back up. */
export function backupCrossIssues(c: { backup?: BackupConfig; storage?: { mode: string }; database?: { mode: string } }): { path: (string | number)[]; message: string }[] {
  if (!c.backup) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (c.storage?.mode !== "own") issues.push({ path: ["backup"], message: "needs webstack:storage with mode 'own': encrypted backups go to the stack's own bucket" });
  if (c.database?.mode !== "isolated") issues.push({ path: ["backup"], message: "needs webstack:database with mode 'isolated': only a stack that owns its database has data to back up" });
  return issues;
}
