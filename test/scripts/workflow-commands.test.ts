import { describe, expect, it } from "vitest";
import { annotation, outputEntry, stepIO } from "../../scripts/workflow-commands";

describe("workflow commands", () => {
  it("escapes annotations so a message with newlines or % stays one command", () => {
    expect(annotation("notice", "50% done\nnext")).toBe("::notice::50%25 done%0Anext\n");
  });

  it("writes single-line outputs as key=value and multi-line ones with a delimiter not in the value", () => {
    expect(outputEntry("deploy", "true")).toBe("deploy=true\n");
    expect(outputEntry("reason", "a\nWEBSTACK_EOF\nb")).toBe("reason<<WEBSTACK_EOF_\na\nWEBSTACK_EOF\nb\nWEBSTACK_EOF_\n");
  });

  it("falls back to stdout outside a runner", () => {
    const out: string[] = [];
    const io = stepIO({}, (t) => out.push(t));
    io.output("exists", "false");
    io.summary("## done");
    io.annotate("error", "bad");
    expect(out).toEqual(["exists=false\n", "## done\n", "::error::bad\n"]);
  });
});
