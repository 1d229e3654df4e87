/**
 * Uploads to the stack's own R2 bucket through the S3 API (SigV4 by aws4fetch), path-style:
 * `<endpoint>/<bucket>/<key>`. The body is streamed with its SHA-256 signed, so R2 checks every byte.
 * Each attempt is bounded; a failed attempt is retried twice with a fresh stream.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { AwsClient } from "aws4fetch";
import type { StackOutputs } from "../components/stack-outputs";
import { BACKUP_PREFIX } from "../components/storage-outputs";
import { OpsError } from "./errors";
import { secretOutput } from "./outputs";

export interface Bucket {
  endpoint: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Uploaded {
  bucket: string;
  key: string;
  etag?: string;
}

/** A single PUT takes up to 5 GB on R2; larger objects would need a multipart upload. */
export const MAX_PUT_BYTES = 5 * 1000 ** 3;

/** The stack's own bucket and its S3 credentials from the outputs, or one line saying what is missing. */
export function backupBucket(stack: string, o: StackOutputs): Bucket {
  const accessKeyId = secretOutput(o, "storageAccessKeyId");
  const secretAccessKey = secretOutput(o, "storageSecretAccessKey");
  if (!o.bucketName || !o.storageEndpoint || !accessKeyId || !secretAccessKey) {
    throw new OpsError(`${stack} has a backup recipient but no bucket of its own to upload to (bucketName, storageEndpoint and its S3 keys in the outputs): give it webstack:storage mode 'own', or pass --no-upload`, 2);
  }
  return { endpoint: o.storageEndpoint.replace(/\/+$/, ""), bucket: o.bucketName, prefix: `${BACKUP_PREFIX}${stack}/`, accessKeyId, secretAccessKey };
}

export async function putObject(b: Bucket, key: string, file: string, sha256: string, bytes: number, attemptTimeoutMs = 30 * 60_000): Promise<Uploaded> {
  if (bytes > MAX_PUT_BYTES) throw new OpsError(`upload to ${b.bucket}: ${bytes} bytes is over R2's single-upload limit (5 GB)`);
  const aws = new AwsClient({ accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey, service: "s3", region: "auto", retries: 0 });
  const url = `${b.endpoint}/${encodeURIComponent(b.bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  let last = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const req = await aws.sign(url, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream", "content-length": String(bytes), "x-amz-content-sha256": sha256 },
        body: Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>,
      });
      const res = await fetch(req, { signal: AbortSignal.timeout(attemptTimeoutMs) });
      if (res.ok) return { bucket: b.bucket, key, etag: res.headers.get("etag") ?? undefined };
      const text = (await res.text()).slice(0, 300);
      last = `${res.status} ${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? text}`;
      // The credentials or the bucket are wrong: retrying changes nothing.
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        throw new OpsError(`upload to ${b.bucket} refused (${last}): check the stack's storage token (storageAccessKeyId) and bucket`, 2);
      }
    } catch (err) {
      if (err instanceof OpsError) throw err;
      last = (err as Error).name === "TimeoutError" ? `no answer within ${Math.round(attemptTimeoutMs / 1000)} s` : (err as Error).message;
    }
  }
  throw new OpsError(`upload to ${b.bucket} at ${b.endpoint} failed 3 times (last: ${last})`);
}
