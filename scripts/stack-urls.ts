import { readFileSync } from "node:fs";

/** Every http(s) URL among a stack's outputs, with its output path (e.g. `branchUrls.alice`). */
export function collectUrls(outputs: unknown, path: string[] = []): { key: string; url: string }[] {
  if (typeof outputs === "string") return /^https?:\/\/\S+$/.test(outputs) ? [{ key: path.join("."), url: outputs }] : [];
  if (Array.isArray(outputs)) return outputs.flatMap((v, i) => collectUrls(v, [...path, String(i)]));
  if (outputs && typeof outputs === "object") {
    return Object.keys(outputs)
      .sort()
      .flatMap((k) => collectUrls((outputs as Record<string, unknown>)[k], [...path, k]));
  }
  return [];
}

/** The PR-stack comment: where the PR's deployment lives. Secret outputs never reach it. */
export function stackUrlsMarkdown(stack: string, outputs: unknown): string {
  const urls = collectUrls(outputs);
  const lines = [`## PR stack \`${stack}\` is up`, ""];
  if (urls.length === 0) lines.push("The stack has no URL outputs yet.");
  else {
    lines.push("| Output | URL |", "| --- | --- |");
    for (const { key, url } of urls) lines.push(`| \`${key}\` | ${url} |`);
  }
  lines.push("", "It is destroyed and removed when this pull request closes.");
  return lines.join("\n") + "\n";
}

// `stack-urls.ts <stack> <outputs.json>`: outputs as `pulumi stack output --json` prints them.
if (require.main === module) {
  const [stack, file] = process.argv.slice(2);
  if (!stack || !file) {
    process.stderr.write("usage: stack-urls.ts <stack> <outputs.json>\n");
    process.exitCode = 2;
  } else {
    process.stdout.write(stackUrlsMarkdown(stack, JSON.parse(readFileSync(file, "utf8"))));
  }
}
