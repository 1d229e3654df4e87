// How webstack runs its TypeScript without a build step (Pulumi.yaml's nodeargs, npm scripts,
// tests): esbuild transpiles each file when it is first required; tsc type-checks in CI.
require("esbuild-register/dist/node").register({ target: `node${process.version.slice(1)}` });

// Node's source-map handling costs about 0.4 s a run here (Pulumi captures a stack trace for
// every resource). The transpiled files keep inline maps: run with --enable-source-maps to use them.
const wanted = process.execArgv.includes("--enable-source-maps") || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? "");
if (!wanted) process.setSourceMapsEnabled(false);
