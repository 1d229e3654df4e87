import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const PRELOAD = resolve(__dirname, "native-strings.cjs");

// Serializes a Struct with google-protobuf's own writer, or with native-strings.cjs preloaded, and
// reads it back with the same process's reader; `other` is read from the bytes on stdin (hex),
// which the other writer made.
const script = `
const sp = require("google-protobuf/google/protobuf/struct_pb");
const v = { a: "héllo ✓ 😀 \\u0000 x".repeat(40), b: [1, "z", { c: "ü", d: "" }], e: null, f: true, "kéy": "${"x".repeat(70_000)}" };
const bytes = Buffer.from(sp.Struct.fromJavaScript(v).serializeBinary());
const back = sp.Struct.deserializeBinary(bytes).toJavaScript();
const input = require("node:fs").readFileSync(0, "utf8");
const other = input ? sp.Struct.deserializeBinary(Buffer.from(input, "hex")).toJavaScript() : v;
process.stdout.write(JSON.stringify({ hex: bytes.toString("hex"), same: JSON.stringify(back) === JSON.stringify(v), other: JSON.stringify(other) === JSON.stringify(v) }));
`;
const run = (preload: boolean, other?: string) =>
  JSON.parse(execFileSync(process.execPath, [...(preload ? ["-r", PRELOAD] : []), "-e", script], { cwd: resolve(__dirname, "..", ".."), input: other ?? "", encoding: "utf8" }));

it("writes the same protobuf bytes as google-protobuf's own string encoder, and reads them back the same", () => {
  const own = run(false);
  const native = run(true, own.hex);
  expect(own.same).toBe(true);
  expect(native.same).toBe(true);
  expect(native.hex).toBe(own.hex);
  // The native reader reads what google-protobuf's own writer wrote, and the other way round.
  expect(native.other).toBe(true);
  expect(run(false, native.hex).other).toBe(true);
});

it("is preloaded: both the string writer and reader are Node's", () => {
  const probe = `const pb = require("google-protobuf"); process.stdout.write(JSON.stringify([pb.BinaryWriter.prototype.webstackNativeStrings, pb.BinaryReader.prototype.webstackNativeStrings]))`;
  expect(JSON.parse(execFileSync(process.execPath, ["-r", PRELOAD, "-e", probe], { cwd: resolve(__dirname, "..", ".."), encoding: "utf8" }))).toEqual([true, true]);
});
