// Run in a fresh process by bench/start-to-graph.ts: how long bundling the Render providers for
// __provider takes, esbuild's start included, as it does in every preview and up.
import { providerSource } from "../providers/render/provider-source";

const start = performance.now();
for (const kind of ["service", "customDomain", "postgres", "project", "environment", "keyValue"] as const) providerSource(kind);
process.stdout.write(String(performance.now() - start));
