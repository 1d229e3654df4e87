import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { storageArgs } from "../../config/storage";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const stack = (name: string) => rawSections(readStackFile(ROOT, name).config) as Record<string, any>;

function errorsFor(raw: Record<string, unknown>): string[] {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
}

describe("webstack:storage", () => {
  it("needs 'from' to share, refuses a production owner without the opt-in, and keeps production on its own bucket", () => {
    const raw = stack("dev");
    raw.storage = { mode: "shared" };
    expect(errorsFor(raw)).toEqual(["webstack:storage.from: missing required key (expected string)"]);
    raw.storage = { mode: "shared", from: "acme/webstack/prod" };
    expect(errorsFor(raw)).toEqual([
      "webstack:storage.allowProductionData: acme/webstack/prod is a production stack: set it to true to share production data on purpose",
    ]);
    const prod = stack("prod");
    prod.storage = { mode: "shared", from: "acme/webstack/staging" };
    expect(errorsFor(prod)).toEqual(["webstack:storage.mode: production stacks own their bucket: use 'own'"]);
  });

  it("names the key for a bad account id, jurisdiction or lifecycle", () => {
    const raw = stack("dev");
    raw.storage.accountId = "acme";
    raw.storage.jurisdiction = "us";
    raw.storage.lifecycle.expireAfterDays = 0;
    expect(errorsFor(raw)).toEqual([
      "webstack:storage.accountId: expected a 32-character Cloudflare account id",
      "webstack:storage.jurisdiction: expected 'default' | 'eu' | 'fedramp'",
      "webstack:storage.lifecycle.expireAfterDays: Too small: expected number to be >=1",
    ]);
  });

  it("gives pull-request stacks no bucket unless enabled, then staging's under their own prefix", () => {
    const pr = validateStackConfig(stack("pr-7"));
    expect(pr.ok && storageArgs(pr.config, "pr-7", [])).toBeUndefined();
    const raw = stack("pr-7");
    raw.storage.enabled = true;
    const enabled = validateStackConfig(raw);
    expect(enabled.ok && storageArgs(enabled.config, "pr-7", [])).toEqual({ from: "acme/webstack/staging", allowProductionData: false });
  });

  it("takes the frontend's exact origins for CORS, leaving out wildcard patterns, and protects production's bucket", () => {
    const prod = validateStackConfig(stack("prod"));
    expect(prod.ok && storageArgs(prod.config, "prod", ["https://ott.example.com", "https://ott-web-*-acme.vercel.app"])).toEqual({
      accountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60",
      bucketName: "ott-prod-files",
      jurisdiction: "default",
      location: "weur",
      corsOrigins: ["https://ott.example.com"],
      protect: true,
    });
  });

  it("claims the S3_* variables, so webstack:env cannot set them too", () => {
    const raw = stack("dev");
    raw.env.backend.S3_BUCKET = "mine";
    expect(errorsFor(raw)).toEqual(["webstack:env.backend.S3_BUCKET: set by webstack from webstack:storage; remove it here"]);
  });
});
