/**
 * A step's Dockerfile may build FROM another step: `FROM compile` (or `FROM compile AS base`).
 * Slipway rewrites that line to the other step's image tag, namespaced by the build id, before the
 * step builds (pure). A name defined as a stage earlier in the same Dockerfile is left alone.
 */

const FROM_LINE = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i;
const AS_NAME = /^\s+AS\s+(\S+)/i;

interface FromLine {
  index: number;
  prefix: string;
  image: string;
  rest: string;
}

function fromLines(text: string): FromLine[] {
  const out: FromLine[] = [];
  text.split('\n').forEach((line, index) => {
    const match = FROM_LINE.exec(line);
    if (match) out.push({ index, prefix: match[1]!, image: match[2]!, rest: match[3]! });
  });
  return out;
}

function stepRefLines(text: string, steps: Set<string>): FromLine[] {
  const stages = new Set<string>();
  const refs: FromLine[] = [];
  for (const line of fromLines(text)) {
    const image = line.image.toLowerCase();
    if (steps.has(image) && !stages.has(image)) refs.push(line);
    const alias = AS_NAME.exec(line.rest)?.[1];
    if (alias) stages.add(alias.toLowerCase());
  }
  return refs;
}

/** Step names a Dockerfile builds FROM. */
export function dockerfileStepRefs(text: string, steps: Iterable<string>): string[] {
  return [...new Set(stepRefLines(text, new Set(steps)).map((l) => l.image.toLowerCase()))];
}

/** The Dockerfile with each `FROM <step>` replaced by that step's image tag. */
export function rewriteStepRefs(text: string, tags: Record<string, string>): string {
  const lines = text.split('\n');
  for (const ref of stepRefLines(text, new Set(Object.keys(tags)))) {
    lines[ref.index] = `${ref.prefix}${tags[ref.image.toLowerCase()]}${ref.rest}`;
  }
  return lines.join('\n');
}
