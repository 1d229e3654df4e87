import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withConfigReference } from "../scripts/docs-config";
import { ROOT } from "./harness";

describe("README config reference", () => {
  it("is the table generated from the schema (run npm run docs:config)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toBe(withConfigReference(readme));
  });
});
