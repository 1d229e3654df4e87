import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { OpsRun } from "./harness";

// Nothing listens on port 1: a command that got as far as connecting would fail with another message.
const PROD = { environment: "production", databaseMode: "isolated", databaseOwnerConnection: "postgres://owner:pw@127.0.0.1:1/ott" } as const;
const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

describe("webstack backup on a CI runner", () => {
  let t: OpsRun;
  beforeEach(() => {
    t = new OpsRun();
  });

  it("refuses to keep a plaintext dump there: no recipient is exit 2 naming the key, before any connection, with nothing written", async () => {
    t.env = { CI: "true" };
    const file = t.outputs(PROD);
    expect(await t.run("backup", "prod", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^prod has no backup recipient \(webstack:backup\.recipient, or WEBSTACK_BACKUP_RECIPIENT\), so no backup was taken: .*; on CI a dump is only kept encrypted$/);
    expect(existsSync(join(t.dir, "backups"))).toBe(false);
    expect(readdirSync(t.dir)).toEqual([file]);
  });

  it("--if-configured (the deploy workflow's step): a stack without a recipient is a warning annotation and exit 0, not a failed deploy", async () => {
    t.env = { CI: "true", GITHUB_ACTIONS: "true" };
    const file = t.outputs(PROD);
    expect(await t.run("backup", "prod", "--outputs", file, "--if-deployed", "--if-configured")).toBe(0);
    expect(t.out).toHaveLength(1);
    expect(t.stdout).toMatch(/^::warning title=No backup of prod::prod has no backup recipient \(webstack:backup\.recipient/);
    expect(readdirSync(t.dir)).toEqual([file]);
    // Off GitHub Actions the same line, without the annotation syntax.
    t.env = {};
    expect(await t.run("backup", "prod", "--outputs", file, "--if-configured")).toBe(0);
    expect(t.stdout).toMatch(/^warning: prod has no backup recipient/);
  });

  it("with a recipient (output or WEBSTACK_BACKUP_RECIPIENT) it goes on to the backup itself", async () => {
    t.env = { CI: "true", WEBSTACK_BACKUP_RECIPIENT: RECIPIENT };
    const file = t.outputs(PROD);
    // The next check: an encrypted backup needs the stack's own bucket to upload to.
    expect(await t.run("backup", "prod", "--outputs", file, "--if-configured")).toBe(2);
    expect(t.stderr).toMatch(/^prod has a backup recipient but no bucket of its own/);
    t.env = { CI: "true" };
    expect(await t.run("backup", "prod", "--outputs", t.outputs({ ...PROD, backupRecipient: RECIPIENT }))).toBe(2);
    expect(t.stderr).toMatch(/^prod has a backup recipient but no bucket of its own/);
  });
});
