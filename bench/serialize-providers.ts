// Run in a fresh process by bench/start-to-graph.ts: how long Pulumi's closure serializer takes
// for the Render providers, first use included, as it does in every preview and up.
import { postgresProvider } from "../providers/render/postgres";
import { serviceProvider } from "../providers/render/service";

const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");

(async () => {
  const start = performance.now();
  for (const provider of [serviceProvider, postgresProvider]) {
    await serializeFunction(() => provider, { allowSecrets: false, isFactoryFunction: true });
  }
  process.stdout.write(String(performance.now() - start));
})();
