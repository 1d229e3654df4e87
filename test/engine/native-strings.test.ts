import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const PRELOAD = resolve(__dirname, "native-strings.cjs");

// Serializes a Struct with google-protobuf's own writer, or with native-strings.cjs preloaded.
const script = `
const sp = require("google-protobuf/google/protobuf/struct_pb");
const v = { a: "héllo ✓ 😀 \\u0000 x".repeat(40), b: [1, "z", { c: "ü", d: "" }], e: null, f: true, "kéy": "${"x".repeat(70_000)}" };
const bytes = Buffer.from(sp.Struct.fromJavaScript(v).serializeBinary());
const back = sp.Struct.deserializeBinary(bytes).toJavaScript();
process.stdout.write(JSON.stringify({ hex: bytes.toString("hex"), same: JSON.stringify(back) === JSON.stringify(v) }));
`;
const run = (preload: boolean) =>
  JSON.parse(execFileSync(process.execPath, [...(preload ? ["-r", PRELOAD] : []), "-e", script], { cwd: resolve(__dirname, "..", ".."), encoding: "utf8" }));

it("writes the same protobuf bytes as google-protobuf's own string encoder", () => {
  const own = run(false);
  const native = run(true);
  expect(own.same).toBe(true);
  expect(native.same).toBe(true);
  expect(native.hex).toBe(own.hex);
});
