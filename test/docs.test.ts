import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { withConfigReference } from "../scripts/docs-config";
import { ROOT } from "./harness";

const DOCS = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(ROOT, "docs", f));
const PAGES = [join(ROOT, "README.md"), ...DOCS];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe("docs", () => {
  it("docs/configuration.md holds the table generated from the schema (run npm run docs:config)", () => {
    const page = readFileSync(join(ROOT, "docs", "configuration.md"), "utf8");
    expect(page).toBe(withConfigReference(page));
  });

  it("the README stays a landing page of at most 200 lines that opens with the synth and npm test", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
    const opening = readme.split("\n").slice(0, 10).join("\n");
    expect(opening).toContain("npm run synth -- ");
    expect(opening).toContain("npm test");
  });

  it("every relative link and anchor in the README and docs/ resolves", () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = readFileSync(page, "utf8").replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path ? join(dirname(page), path) : page;
        const where = `${relative(ROOT, page)} → ${link}`;
        if (!existsSync(target)) broken.push(`${where}: no such file`);
        else if (anchor && target.endsWith(".md") && !anchors(target).has(anchor)) broken.push(`${where}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });
});
