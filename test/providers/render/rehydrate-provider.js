// Loads a serialized provider the way Pulumi's dynamic-provider host does
// (requireFromString(text).handler(), then configure with the stack config) and runs one
// operation, given as JSON on argv:
//   node rehydrate-provider.js <file> '{"op":"create","args":[...],"config":{"render:apiKey":"..."}}'
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config");
const provider = requireFromString(fs.readFileSync(process.argv[2], "utf8")).handler();
const { op, args, config } = JSON.parse(process.argv[3]);
const configured = provider.configure ? provider.configure({ config: new Config(config ?? {}, "webstack") }) : Promise.resolve();
configured.then(() => provider[op](...args)).then(
  (r) => process.stdout.write(JSON.stringify(r ?? null)),
  (e) => {
    process.stderr.write(String(e && e.message));
    process.exit(1);
  },
);
