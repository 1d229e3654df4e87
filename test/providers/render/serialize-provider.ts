/**
 * Prints what `RenderService` / `RenderPostgres` put in `__provider`, from a plain Node process
 * started like the Pulumi program. Usage:
 *   node --require ./launcher.cjs test/providers/render/serialize-provider.ts service|postgres
 */
import { type ProviderKind, providerSource } from "../../../providers/render/provider-source";

process.stdout.write(providerSource(process.argv[2] as ProviderKind));
