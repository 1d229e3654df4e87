#!/usr/bin/env node
// `webstack`: day-2 operations on a deployed stack (ops/cli.ts, docs/operations.md).
// In a checkout it runs the TypeScript sources through the launcher, like the npm scripts; in an
// installed package, the compiled dist/ops.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const source = join(__dirname, "..", "ops", "cli.ts");
if (existsSync(source)) {
  require("../launcher.cjs");
  require(source).main();
} else {
  require(join(__dirname, "..", "dist", "ops", "cli.js")).main();
}
