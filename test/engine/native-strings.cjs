// Preloaded into the provider host (`node -r`) and loaded by the harness: google-protobuf's JS
// writer pushes every UTF-8 byte of every string into an array, and its reader decodes them one by
// one back into an array of char codes; each call and answer carries the provider bundle
// (`__provider`) several times, which made string encoding and decoding most of the harness's
// CPU. Node's encoder and decoder handle the same bytes: a string field is a length-delimited field
// of its UTF-8 bytes, exactly as a bytes field (test/engine/native-strings.test.ts compares them).
// Only the encoding changes; the host's code and the wire bytes do not.
const pb = require("google-protobuf");
const writer = pb.BinaryWriter.prototype;
if (!writer.webstackNativeStrings) {
  writer.writeString = function (field, value) {
    if (value != null) this.writeBytes(field, Buffer.from(value, "utf8"));
  };
  writer.webstackNativeStrings = true;
}
const reader = pb.BinaryReader.prototype;
if (!reader.webstackNativeStrings) {
  // readBytes checks the wire type and returns a view of the message's bytes (no copy).
  const readBytes = reader.readBytes;
  reader.readString = function () {
    const b = readBytes.call(this);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
  };
  reader.webstackNativeStrings = true;
}
