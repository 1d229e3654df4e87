// Loads a serialized provider the way Pulumi's dynamic-provider host does
// (requireFromString(text).handler()) and runs one operation, given as JSON on argv:
//   node rehydrate-provider.js <file> '{"op":"create","args":[...]}'
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const provider = requireFromString(fs.readFileSync(process.argv[2], "utf8")).handler();
const { op, args } = JSON.parse(process.argv[3]);
provider[op](...args).then(
  (r) => process.stdout.write(JSON.stringify(r ?? null)),
  (e) => {
    process.stderr.write(String(e && e.message));
    process.exit(1);
  },
);
