// Preloaded into the provider host (`node -r`) and loaded by the harness: google-protobuf's JS
// writer pushes every UTF-8 byte of every string into an array, and each call and answer carries
// the provider bundle (`__provider`) several times, which made string encoding most of the
// harness's CPU. Node's encoder writes the same bytes: a string field is a length-delimited field
// of its UTF-8 bytes, exactly as a bytes field (test/engine/native-strings.test.ts compares them).
// Only the encoding changes; the host's code and the wire bytes do not.
const writer = require("google-protobuf").BinaryWriter.prototype;
if (!writer.webstackNativeStrings) {
  writer.writeString = function (field, value) {
    if (value != null) this.writeBytes(field, Buffer.from(value, "utf8"));
  };
  writer.webstackNativeStrings = true;
}
