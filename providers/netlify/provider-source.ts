import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { cachedBuild } from "../../bundling/cached-build";

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

const cache = new Map<ProviderKind, string>();

/**
 * The provider's code as Pulumi keeps it in a dynamic resource's `__provider` input: CommonJS
 * whose `handler()` returns the provider, which the host loads with `requireFromString`.
 *
 * esbuild bundles it in memory at program time instead of Pulumi's closure serializer, which
 * took about 0.6 s a run (an inspector session plus the TypeScript parser) and failed on any
 * captured named import. The bytes are deterministic: no source maps, paths relative to the
 * project, so an unchanged provider shows no diff. An unchanged bundle is reused from disk.
 */
export function providerSource(kind: ProviderKind): string {
  const hit = cache.get(kind);
  if (hit !== undefined) return hit;
  // Bundle the TypeScript source, also when this file runs compiled from dist/ (the package ships providers/netlify/*.ts).
  const [file, factory] = PROVIDERS[kind];
  const dir = [__dirname, join(__dirname, "..", "..", "..", "providers", "netlify")].find((d) => existsSync(join(d, `${file}.ts`)));
  if (!dir) throw new Error(`Netlify provider source providers/netlify/${file}.ts not found from ${__dirname}`);
  const text = cachedBuild({
    stdin: {
      contents: `import { ${factory} } from "./${file}";\nexport function handler() {\n  return ${factory}();\n}\n`,
      resolveDir: dir,
      sourcefile: `netlify-${kind}-provider.ts`,
      loader: "ts",
    },
    absWorkingDir: dirname(dirname(dir)),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    // The provider uses it for types only; a runtime import would load the whole SDK in the host.
    external: ["@pulumi/pulumi"],
    sourcemap: false,
    // State holds a copy per resource and the engine sends it with every call: minified, it is 40 % smaller.
    minify: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  if (/require\(["']@pulumi\//.test(text)) throw new Error(`Netlify ${kind} provider bundle must not require @pulumi/*`);
  cache.set(kind, text);
  return text;
}
