import { providerBundle } from "../kit/bundle";

/** Type prefix Pulumi's Node.js dynamic-provider host serves (`pulumi.dynamic.Resource` with module "render"). */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic/render";

/** Each provider: the file in providers/render/ and the factory it exports. */
const PROVIDERS = {
  service: ["service", "createServiceProvider"],
  postgres: ["postgres", "createPostgresProvider"],
  customDomain: ["custom-domain", "createCustomDomainProvider"],
  project: ["project", "createProjectProvider"],
  environment: ["project", "createEnvironmentProvider"],
  keyValue: ["key-value", "createKeyValueProvider"],
} as const;
export type ProviderKind = keyof typeof PROVIDERS;

/** The Render provider's code as a dynamic resource's `__provider` input (see providers/kit/bundle.ts). */
export function providerSource(kind: ProviderKind): string {
  const [file, factory] = PROVIDERS[kind];
  return providerBundle("render", kind, file, factory);
}
