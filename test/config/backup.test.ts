import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { storageArgs } from "../../config/storage";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

function withBackup(backup: unknown, change: (raw: Record<string, any>) => void = () => undefined) {
  const raw = rawSections(readStackFile(ROOT, "prod").config) as Record<string, any>;
  raw.backup = backup;
  change(raw);
  return validateStackConfig(raw);
}

describe("webstack:backup", () => {
  it("takes an age public key, keeps backups 30 days by default, as a rule of the stack's own bucket", () => {
    const r = withBackup({ recipient: RECIPIENT });
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.config.backup).toEqual({ recipient: RECIPIENT, retentionDays: 30 });
    expect(storageArgs(r.config as never, "prod", [])?.backupRetentionDays).toBe(30);
  });

  it("names the key of a value that is no age public key", () => {
    const r = withBackup({ recipient: "AGE-SECRET-KEY-1QQQ", retentionDays: 0 });
    expect(r.ok ? [] : r.errors).toEqual([
      "webstack:backup.recipient: expected an age public key: 'age1' and 58 more characters, as `age-keygen -y KEYFILE` prints",
      "webstack:backup.retentionDays: Too small: expected number to be >=1",
    ]);
  });

  it("needs the stack's own bucket and database", () => {
    const r = withBackup({ recipient: RECIPIENT }, (raw) => {
      delete raw.storage;
    });
    expect(r.ok ? [] : r.errors).toEqual(["webstack:backup: needs webstack:storage with mode 'own': encrypted backups go to the stack's own bucket"]);
  });
});
