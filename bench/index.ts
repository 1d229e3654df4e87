import { benchDelivery } from "./delivery";
import { benchStartToGraph } from "./start-to-graph";

// Each benchmark prints its own figures; none asserts, so a slow machine never fails a build.
async function main() {
  console.log("## Program start-up");
  benchStartToGraph();
  console.log("## Delivery");
  await benchDelivery();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
