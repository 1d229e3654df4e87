import { benchCronWorker } from "./cron-worker";
import { benchRender } from "./render";
import { benchDelivery } from "./delivery";
import { benchStartToGraph } from "./start-to-graph";
import { benchPackageImport } from "./package-import";

// Each benchmark prints its own figures; none asserts, so a slow machine never fails a build.
async function main() {
  console.log("## Program start-up");
  await benchStartToGraph();
  benchPackageImport();
  console.log("\n## Cron Worker");
  await benchCronWorker();
  await benchRender();
  console.log("\n## Delivery");
  await benchDelivery();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
