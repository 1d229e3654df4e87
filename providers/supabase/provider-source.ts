import { providerBundle } from "../kit/bundle";

/** Type prefix Pulumi's Node.js dynamic-provider host serves (`pulumi.dynamic.Resource` with module "supabase"). */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic/supabase";

const PROVIDERS = {
  project: ["project", "createProjectProvider"],
  bucket: ["bucket", "createBucketProvider"],
  loginCheck: ["login-check", "createLoginCheckProvider"],
} as const;
export type SupabaseProviderKind = keyof typeof PROVIDERS;

/** The Supabase provider's code as a dynamic resource's `__provider` input (see providers/kit/bundle.ts). */
export function providerSource(kind: SupabaseProviderKind): string {
  const [file, factory] = PROVIDERS[kind];
  return providerBundle("supabase", kind, file, factory);
}
