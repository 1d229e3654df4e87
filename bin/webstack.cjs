#!/usr/bin/env node
// `webstack`: day-2 operations on a deployed stack (ops/cli.ts, docs/operations.md).
// Runs the TypeScript sources of this checkout through the launcher, like the npm scripts.
"use strict";
require("../launcher.cjs");
require("../ops/cli.ts").main();
