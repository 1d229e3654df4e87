import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { cachedBuild } from "../../bundling/cached-build";

const cache = new Map<string, string>();

/**
 * A provider's code as Pulumi keeps it in a dynamic resource's `__provider` input: CommonJS whose
 * `handler()` returns the provider (`factory()` exported by `providers/<service>/<file>.ts`), which
 * the host loads with `requireFromString`.
 *
 * esbuild bundles it in memory at program time instead of Pulumi's closure serializer, which
 * took about 0.6 s a run (an inspector session plus the TypeScript parser) and failed on any
 * captured named import. The bytes are deterministic: no source maps, paths relative to the
 * project, so an unchanged provider shows no diff. An unchanged bundle is reused from disk.
 */
export function providerBundle(service: string, kind: string, file: string, factory: string): string {
  const cacheKey = `${service}/${kind}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  // Bundle the TypeScript source, also when this file runs compiled from dist/ (the package ships providers/*/*.ts).
  const dir = [join(__dirname, "..", service), join(__dirname, "..", "..", "..", "providers", service)].find((d) => existsSync(join(d, `${file}.ts`)));
  if (!dir) throw new Error(`${service} provider source providers/${service}/${file}.ts not found from ${__dirname}`);
  const text = cachedBuild({
    stdin: {
      contents: `import { ${factory} } from "./${file}";\nexport function handler() {\n  return ${factory}();\n}\n`,
      resolveDir: dir,
      sourcefile: `${service}-${kind}-provider.ts`,
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
  if (/require\(["']@pulumi\//.test(text)) throw new Error(`${service} ${kind} provider bundle must not require @pulumi/*`);
  cache.set(cacheKey, text);
  return text;
}
