import type { StepIO } from "../../scripts/workflow-commands";

/** A StepIO that records each call as one line: `output k=v`, `summary …`, `notice …`. */
export function recordingIO(): StepIO & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    output: (name, value) => void lines.push(`output ${name}=${value}`),
    summary: (markdown) => void lines.push(`summary ${markdown}`),
    annotate: (kind, message) => void lines.push(`${kind} ${message}`),
  };
}
