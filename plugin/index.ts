// Entry of the component provider (PulumiPlugin.yaml). Importing it starts the provider's gRPC
// server, so only Pulumi runs it: tests use ./components.ts.
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { components } from "./components";

export * from "./components";

componentProviderHost({ components, name: "webstack", dirname: __dirname }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
