import { providerBundle } from "../kit/bundle";

/** Type prefix Pulumi's Node.js dynamic-provider host serves (`pulumi.dynamic.Resource` with module "netlify"). */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic/netlify";

/** Each provider: the file in providers/netlify/ and the factory it exports. */
const PROVIDERS = {
  site: ["site", "createSiteProvider"],
  envVar: ["env-var", "createEnvVarProvider"],
  domains: ["domains", "createDomainsProvider"],
  branchDomain: ["branch-domain", "createBranchDomainProvider"],
} as const;
export type ProviderKind = keyof typeof PROVIDERS;

/** The Netlify provider's code as a dynamic resource's `__provider` input (see providers/kit/bundle.ts). */
export function providerSource(kind: ProviderKind): string {
  const [file, factory] = PROVIDERS[kind];
  return providerBundle("netlify", kind, file, factory);
}
