/**
 * The dynamic provider for a Supabase Storage bucket. The Management API creates no buckets, so
 * it calls the project's Storage API with the project's secret key, read at call time from the
 * Management API (never an input, never in state). Storage errors are HTTP 400 with the real
 * status in the body (the kit's client reads it); sizes read back in bytes, so limits are compared in bytes.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isApiError } from "../kit/rest";
import { compact, known, namingErrors, postOrFind, providerChanged, UNKNOWN } from "../kit/provider";
import { configurableClient, createStorageClient, type SupabaseClientOptions } from "./client";
import { chooseKeys } from "./project";

export interface BucketInputs {
  /** The project's `ref`. Changing it replaces the bucket. */
  projectRef: string;
  /** Bucket id and name. Changing it replaces the bucket. */
  name: string;
  /** Public buckets serve every object to anyone with its URL. Default false. */
  public?: boolean;
  /** Largest object in bytes, or a decimal size such as `"50MB"` (50 000 000 bytes, as Storage reads it). */
  fileSizeLimit?: number | string;
  /** Allowed MIME types, e.g. `["image/png", "image/*"]`; unset: any. */
  allowedMimeTypes?: string[];
  /** Refuse `delete` (production); a non-empty bucket is never emptied by webstack either way. */
  deletionProtection?: boolean;
}

export interface BucketOutputs extends BucketInputs {
  public: boolean;
  /** The limit in bytes (0: none beyond the project's). */
  fileSizeLimitBytes: number;
}

const NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]{1,100}$/;
const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Bytes of a limit: a number as is, a string such as "50MB" in decimal units (Storage's `parseFileSizeToBytes`). */
export function sizeInBytes(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)\s*$/i.exec(v);
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : NaN;
}

export function checkBucket(news: Record<string, any>): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  if (news.projectRef !== UNKNOWN && !/^[a-z]{20}$/.test(String(news.projectRef))) f.push({ property: "projectRef", reason: "projectRef must be a project ref (20 lowercase letters)" });
  if (news.name !== UNKNOWN && (typeof news.name !== "string" || !NAME.test(news.name) || news.name.trim() !== news.name)) {
    f.push({ property: "name", reason: "name must be 1–100 characters of letters, digits and _!.*'() &$=@;:+,?- without leading or trailing spaces" });
  }
  if (known(news.fileSizeLimit) && !Number.isFinite(sizeInBytes(news.fileSizeLimit))) {
    f.push({ property: "fileSizeLimit", reason: "fileSizeLimit must be a byte count or a size such as '50MB'" });
  }
  if (known(news.allowedMimeTypes) && (!Array.isArray(news.allowedMimeTypes) || news.allowedMimeTypes.some((t: unknown) => t !== UNKNOWN && (typeof t !== "string" || !/^[\w.+-]+\/[\w.+*-]+$/.test(t))))) {
    f.push({ property: "allowedMimeTypes", reason: "allowedMimeTypes must be MIME types such as 'image/png' or 'image/*'" });
  }
  for (const k of ["public", "deletionProtection"]) if (known(news[k]) && typeof news[k] !== "boolean") f.push({ property: k, reason: `${k} must be true or false` });
  return f;
}

const mimes = (v: unknown) => (Array.isArray(v) && v.length ? [...v].map(String).sort().join(",") : "");

export function createBucketProvider(options: { client?: SupabaseClientOptions } = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);

  async function storage(ref: string) {
    const { serviceRoleKey } = chooseKeys((await client().get<any[]>(`/v1/projects/${ref}/api-keys`, { reveal: true })) ?? []);
    if (!serviceRoleKey) throw new Error(`project ${ref} has no secret or service_role key to call Storage with`);
    return createStorageClient(ref, serviceRoleKey, options.client);
  }

  const getBucket = async (s: ReturnType<typeof createStorageClient>, name: string) => {
    try {
      return await s.get<any>(`/bucket/${encodeURIComponent(name)}`);
    } catch (err) {
      if (isApiError(err, 404)) return undefined;
      throw err;
    }
  };

  const settings = (i: BucketInputs) => ({
    public: i.public ?? false,
    file_size_limit: sizeInBytes(i.fileSizeLimit) ?? null,
    allowed_mime_types: i.allowedMimeTypes?.length ? i.allowedMimeTypes : null,
  });

  const outputs = (i: BucketInputs, b: any): BucketOutputs =>
    compact({
      ...i,
      public: !!b.public,
      fileSizeLimitBytes: Number(b.file_size_limit ?? 0),
      allowedMimeTypes: Array.isArray(b.allowed_mime_types) && b.allowed_mime_types.length ? b.allowed_mime_types : i.allowedMimeTypes,
    });

  /** Whether the bucket as read differs from the inputs (sizes in bytes, MIME types as a set). */
  const drifted = (i: BucketInputs, b: any) =>
    !!b.public !== (i.public ?? false) ||
    Number(b.file_size_limit ?? 0) !== (sizeInBytes(i.fileSizeLimit) ?? 0) ||
    mimes(b.allowed_mime_types) !== mimes(i.allowedMimeTypes);

  async function converge(i: BucketInputs): Promise<BucketOutputs> {
    const s = await storage(i.projectRef);
    let b = await getBucket(s, i.name);
    if (!b) {
      b = await postOrFind(
        s,
        async () => {
          await s.request("POST", "/bucket", { idempotent: false, body: { id: i.name, name: i.name, ...settings(i) } });
          return (await getBucket(s, i.name)) ?? { id: i.name, ...settings(i) };
        },
        () => getBucket(s, i.name),
      );
    }
    if (drifted(i, b)) {
      await s.request("PUT", `/bucket/${encodeURIComponent(i.name)}`, { body: settings(i) });
      b = (await getBucket(s, i.name)) ?? { ...b, ...settings(i) };
    }
    return outputs(i, b);
  }

  const provider: pulumi.dynamic.ResourceProvider = {
    configure,
    async check(_olds, news) {
      return { inputs: news, failures: checkBucket(news) };
    },
    async diff(_id, olds, news) {
      const replaces = ["projectRef", "name"].filter((k) => olds[k] !== news[k]);
      const changed =
        replaces.length > 0 ||
        (olds.public ?? false) !== (news.public ?? false) ||
        (olds.fileSizeLimitBytes ?? 0) !== (sizeInBytes(news.fileSizeLimit) ?? 0) ||
        mimes(olds.allowedMimeTypes) !== mimes(news.allowedMimeTypes) ||
        !!olds.deletionProtection !== !!news.deletionProtection ||
        providerChanged(olds as any, news as any);
      return { changes: changed, replaces, deleteBeforeReplace: replaces.length > 0 };
    },
    async create(inputs) {
      const outs = await converge(inputs as BucketInputs);
      return { id: `${outs.projectRef}/${outs.name}`, outs };
    },
    async read(id, props) {
      const p = props as BucketOutputs;
      const b = await getBucket(await storage(p.projectRef), p.name);
      if (!b) return { id: "", props: {} };
      return { id, props: outputs({ ...p, public: !!b.public, allowedMimeTypes: b.allowed_mime_types ?? undefined, fileSizeLimit: p.fileSizeLimitBytes === Number(b.file_size_limit ?? 0) ? p.fileSizeLimit : Number(b.file_size_limit ?? 0) }, b) };
    },
    async update(_id, _olds, news) {
      return { outs: await converge(news as BucketInputs) };
    },
    async delete(_id, props) {
      const p = props as BucketOutputs;
      if (p.deletionProtection) throw new Error("deletion protection is on: the bucket and its objects stay");
      const s = await storage(p.projectRef);
      try {
        await s.request("DELETE", `/bucket/${encodeURIComponent(p.name)}`);
      } catch (err) {
        if (isApiError(err, 404)) return;
        if (isApiError(err, 409)) throw new Error(`${(err as Error).message} (webstack never empties a bucket: remove its objects first)`);
        throw err;
      }
    },
  };
  return namingErrors(provider as any, (props, id) => `Supabase bucket '${props.name ?? id}'`);
}
