/**
 * Serializes a provider exactly as `pulumi.dynamic.Resource` does for `__provider`, in a plain
 * Node process (no vite), and prints the text. Usage:
 *   node --require ./launcher.cjs test/providers/render/serialize-provider.ts service|postgres
 */
import { serviceProvider } from "../../../providers/render/service";
import { postgresProvider } from "../../../providers/render/postgres";

const providers = { service: serviceProvider, postgres: postgresProvider } as const;
const which = process.argv[2] as keyof typeof providers;
const provider = providers[which];
if (!provider) throw new Error(`unknown provider '${which}'`);
// The same call and options as @pulumi/pulumi/dynamic's serializeFunctionMaybeSecret.
require("@pulumi/pulumi/runtime/closure/serializeClosure")
  .serializeFunction(() => provider, { allowSecrets: true })
  .then((sf: { text: string }) => process.stdout.write(sf.text));
