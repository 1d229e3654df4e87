// Loaded with --require ahead of Pulumi.yaml's nodeargs: at exit, writes the files Node loaded
// to $WEBSTACK_PROBE_OUT, so a test can see which modules a real cmd/run run pulled in.
"use strict";
process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.WEBSTACK_PROBE_OUT, JSON.stringify(Object.keys(require.cache)));
});
