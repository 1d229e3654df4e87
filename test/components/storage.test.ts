import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bucketResourceKey, bucketTokenPolicy, parseR2Endpoint, permissionGroupId, r2Endpoint, s3SecretAccessKey, Storage } from "../../components/storage";
import { byType, one, settle, synthComponent } from "../harness";

const ACCOUNT = "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60";
const OWN = { accountId: ACCOUNT, bucketName: "ott-test-files" };
const BUCKET = "cloudflare:index/r2Bucket:R2Bucket";
const TOKEN = "cloudflare:index/apiToken:ApiToken";
const ITEM_READ = "6a018a9f2fc74eb6b293b0c548f38b39";
const ITEM_WRITE = "2efd5506f9c8494dacb1fa10a3e7d5b6";

/** SHA-256 by another implementation (WebCrypto), as lowercase hex. */
async function webSha256Hex(text: string): Promise<string> {
  const digest = await webcrypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("S3 credentials from an R2 API token", () => {
  it("the secret access key is the lowercase hex SHA-256 of the token value: worked examples", async () => {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    expect(s3SecretAccessKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const tokenValue = "Yk3_2fWd-9QpLr0TzVb8XmNc4HsJe6Ug1AoKi7Dy";
    expect(s3SecretAccessKey(tokenValue)).toBe(await webSha256Hex(tokenValue));
    expect(s3SecretAccessKey(tokenValue)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => s3SecretAccessKey("")).toThrow(/token value is empty/);
  });

  it("the component hands out the token id as access key and the hash of its value as secret, both secret", async () => {
    let s!: Storage;
    await synthComponent(() => void (s = new Storage("storage", OWN)));
    expect(await settle(s.accessKeyId)).toEqual({ value: "storage-token-id", secret: true });
    expect(await settle(s.secretAccessKey)).toEqual({ value: await webSha256Hex("fake-storage-token-token-value"), secret: true });
    expect(await settle(s.endpoint)).toEqual({ value: `https://${ACCOUNT}.r2.cloudflarestorage.com`, secret: false });
    expect([s.region, s.keyPrefix]).toEqual(["auto", ""]);
  });
});

describe("the bucket's token", () => {
  it("reaches this one bucket's objects (read and write) and nothing else, and waits for the bucket", async () => {
    const m = await synthComponent(() => void new Storage("storage", OWN));
    const token = one(m, TOKEN);
    const policies = token.inputs.policies as { effect: string; permissionGroups: { id: string }[]; resources: string }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]!.effect).toBe("allow");
    expect(policies[0]!.permissionGroups).toEqual([{ id: ITEM_READ }, { id: ITEM_WRITE }]);
    expect(JSON.parse(policies[0]!.resources)).toEqual({ [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_ott-test-files`]: "*" });
    expect(policies[0]!.resources).not.toContain("com.cloudflare.api.account");
    expect(token.dependsOn).toContain(one(m, BUCKET).urn);
  });

  it("is never made without the bucket's scope: no name, a wildcard or a bad id is refused", async () => {
    for (const bad of ["", "*", "Ott_Files", "ab"]) expect(() => bucketResourceKey(ACCOUNT, "default", bad)).toThrow(/refusing a token scope without one bucket's name/);
    expect(() => bucketResourceKey("acct", "default", "ott-files")).toThrow(/without a valid account id/);
    expect(() => bucketResourceKey(ACCOUNT, "mars" as never, "ott-files")).toThrow(/jurisdiction 'mars'/);
    expect(() => bucketTokenPolicy(ACCOUNT, "default", "ott-files", [])).toThrow(/without its permission group ids/);
    expect(bucketResourceKey(ACCOUNT, "eu", "ott-files")).toBe(`com.cloudflare.edge.r2.bucket.${ACCOUNT}_eu_ott-files`);

    // The scope follows the bucket resource's own name (here changed by a transform), not a copy of the args.
    const m = await synthComponent(() => void new Storage("storage", OWN, { transform: { bucket: (a) => ({ args: { ...a, name: "renamed-files" } }) } }));
    expect(one(m, BUCKET).inputs.name).toBe("renamed-files");
    expect(JSON.parse((one(m, TOKEN).inputs.policies as { resources: string }[])[0]!.resources)).toEqual({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_renamed-files`]: "*",
    });
  });

  it("finds the permission groups by exact name, and fails clearly when the account has none", () => {
    const groups = [
      { id: ITEM_READ, name: "Workers R2 Storage Bucket Item Read", scopes: ["com.cloudflare.edge.r2.bucket"] },
      { id: "f".repeat(32), name: "Workers R2 Storage Bucket Item Read (legacy)", scopes: ["com.cloudflare.edge.r2.bucket"] },
    ];
    expect(permissionGroupId(groups, "Workers R2 Storage Bucket Item Read")).toBe(ITEM_READ);
    expect(() => permissionGroupId(groups, "Workers R2 Storage Bucket Item Write")).toThrow(
      "Cloudflare lists 0 API token permission groups named 'Workers R2 Storage Bucket Item Write'; expected one",
    );
  });
});

describe("Storage", () => {
  it("CORS for the frontend origins, an optional lifecycle rule, production's bucket protected and retained", async () => {
    const m = await synthComponent(
      () =>
        void new Storage("storage", {
          ...OWN,
          jurisdiction: "eu",
          protect: true,
          corsOrigins: ["https://app.example.com", "http://localhost:3000", "https://app.example.com"],
          lifecycle: { prefix: "tmp/", expireAfterDays: 30 },
        }),
    );
    const bucket = one(m, BUCKET);
    expect(bucket.inputs).toEqual({ accountId: ACCOUNT, name: "ott-test-files", jurisdiction: "eu" });
    expect([bucket.protect, bucket.retainOnDelete]).toEqual([true, true]);
    const token = one(m, TOKEN);
    // A live credential is protected but never left behind.
    expect([token.protect, token.retainOnDelete]).toEqual([true, false]);
    expect(JSON.parse((token.inputs.policies as { resources: string }[])[0]!.resources)).toHaveProperty([`com.cloudflare.edge.r2.bucket.${ACCOUNT}_eu_ott-test-files`]);

    const cors = one(m, "cloudflare:index/r2BucketCors:R2BucketCors");
    expect(cors).toMatchObject({ deleteBeforeReplace: true, protect: false });
    expect(cors.inputs).toEqual({
      accountId: ACCOUNT,
      bucketName: "ott-test-files",
      jurisdiction: "eu",
      rules: [
        {
          id: "browser-presigned-urls",
          allowed: { origins: ["https://app.example.com", "http://localhost:3000"], methods: ["GET", "PUT", "HEAD"], headers: ["content-type"] },
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3600,
        },
      ],
    });
    const lifecycle = one(m, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle");
    expect(lifecycle.inputs.rules).toEqual([
      {
        id: "webstack-lifecycle",
        enabled: true,
        conditions: { prefix: "tmp/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * 86_400 } },
        abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86_400 } },
      },
    ]);
  });

  it("keeps webstack backup's encrypted backups for backupRetentionDays, as a rule of its own beside the stack's", async () => {
    const m = await synthComponent(() => void new Storage("storage", { ...OWN, lifecycle: { prefix: "tmp/", expireAfterDays: 3 }, backupRetentionDays: 45 }));
    const rules = one(m, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").inputs.rules as { id: string }[];
    expect(rules.map((r) => r.id)).toEqual(["webstack-lifecycle", "webstack-backups"]);
    expect(rules[1]).toEqual({
      id: "webstack-backups",
      enabled: true,
      conditions: { prefix: "webstack-backups/" },
      deleteObjectsTransition: { condition: { type: "Age", maxAge: 45 * 86_400 } },
      abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86_400 } },
    });
    const only = await synthComponent(() => void new Storage("storage", { ...OWN, backupRetentionDays: 30 }));
    expect((one(only, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").inputs.rules as { id: string }[]).map((r) => r.id)).toEqual(["webstack-backups"]);
    expect(() => new Storage("bad", { ...OWN, backupRetentionDays: 0 })).toThrow("Storage 'bad': backupRetentionDays must be a whole number of days >= 1");
  });

  it("without origins or lifecycle makes just the bucket and its token", async () => {
    const m = await synthComponent(() => void new Storage("storage", OWN));
    expect(m.resources.filter((r) => r.custom && r.type.startsWith("cloudflare:")).map((r) => r.type).sort()).toEqual([TOKEN, BUCKET].sort());
    expect(one(m, BUCKET)).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("shares another stack's bucket with its own token and its own prefix, and refuses production's without opt-in", async () => {
    let s!: Storage;
    const m = await synthComponent(() => void (s = new Storage("storage", { from: "acme/webstack/staging" })), { stack: "pr-42" });
    expect(byType(m, BUCKET)).toEqual([]);
    expect(one(m, "pulumi:pulumi:StackReference").inputs.name).toBe("acme/webstack/staging");
    expect(JSON.parse((one(m, TOKEN).inputs.policies as { resources: string }[])[0]!.resources)).toEqual({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_ott-staging-files`]: "*",
    });
    expect(one(m, TOKEN).inputs.name).toBe("ott-staging-files objects read/write (webstack/pr-42)");
    expect((await settle(s.bucketName)).value).toBe("ott-staging-files");
    expect(s.keyPrefix).toBe("pr-42/");

    const refused = await synthComponent(() => {
      expect(() => new Storage("storage", { from: "acme/webstack/prod" })).toThrow(/^Refusing to share the bucket of acme\/webstack\/prod: .*webstack:storage\.allowProductionData: true/);
    });
    expect(byType(refused, TOKEN)).toEqual([]);
  });

  it("refuses bad args by name before registering anything", async () => {
    const cases: [ConstructorParameters<typeof Storage>[1], RegExp][] = [
      [{ ...OWN, bucketName: "Ott_Files" }, /^Storage 'storage': bucketName 'Ott_Files' is not a valid R2 bucket name: lower-case letters/],
      [{ ...OWN, corsOrigins: ["https://ott-web-*-acme.vercel.app"] }, /^Storage 'storage': corsOrigins\[0\] .* no partial wildcard/],
      [{ ...OWN, corsHeaders: ["*"] }, /corsHeaders cannot hold '\*'/],
      [{ ...OWN, lifecycle: { expireAfterDays: 0 } }, /lifecycle\.expireAfterDays must be a whole number of days >= 1/],
      [{ from: "acme/webstack/staging", bucketName: "x-files" }, /^Storage 'storage': bucketName belongs to the owner stack's bucket/],
      [{ ...OWN, keyPrefix: "/abs/" }, /keyPrefix '\/abs\/' must be empty or end with '\/'/],
    ];
    for (const [args, error] of cases) {
      const m = await synthComponent(() => {
        expect(() => new Storage("storage", args)).toThrow(error);
      });
      expect(byType(m, "webstack:index:Storage")).toEqual([]);
    }
  });

  it("endpoints name the account and jurisdiction, and read back", () => {
    expect(r2Endpoint(ACCOUNT)).toBe(`https://${ACCOUNT}.r2.cloudflarestorage.com`);
    expect(r2Endpoint(ACCOUNT, "eu")).toBe(`https://${ACCOUNT}.eu.r2.cloudflarestorage.com`);
    expect(parseR2Endpoint(r2Endpoint(ACCOUNT, "fedramp"))).toEqual({ accountId: ACCOUNT, jurisdiction: "fedramp" });
    expect(() => parseR2Endpoint("https://example.com")).toThrow(/is not an R2 endpoint/);
  });
});
