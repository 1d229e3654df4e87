import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../config/stack-files";
import { ROOT } from "../harness";
import { testDir } from "../scratch";

describe("readStackFile", () => {
  it("reads a file again after its text changed (parsed texts are reused only while they are the same), and leaves them unchanged", () => {
    const dir = testDir("stack-files-");
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const write = (name: string) => writeFileSync(join(dir, "Pulumi.qa.yaml"), `config:\n  webstack:app:\n    name: ${name}\n    secret:\n      secure: v1:AAAA\n`);
    write("one");
    const first = readStackFile(dir, "qa");
    expect(JSON.parse(first.config["webstack:app"]!)).toMatchObject({ name: "one", secret: "synth-placeholder-secret" });
    expect(readStackFile(dir, "qa")).toEqual(first);
    write("two");
    expect(JSON.parse(readStackFile(dir, "qa").config["webstack:app"]!)).toMatchObject({ name: "two" });
    write("one");
    expect(readStackFile(dir, "qa")).toEqual(first);
  });
});
