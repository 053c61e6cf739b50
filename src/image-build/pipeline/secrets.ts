import { createReadStream } from 'node:fs';
import { readdir, lstat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import type { ContainerEngine } from '../../engine/port.js';
import { ancestors, type GraphNode } from './graph.js';
import type { PipelineSpec } from './schema.js';

/**
 * Build secrets with the classic builder (no BuildKit, no `RUN --mount`): a secret reaches a step as
 * a build argument, and build arguments end up in that image's history. So a step that lists a
 * secret — and every step that builds FROM it — is *tainted*: its image is intermediate, never kept,
 * and removed with its layers when the build ends. The final image must not be tainted; it gets
 * only the tainted steps' artifacts, which are checked not to contain a secret value.
 */

/** Problems with the given secrets (each `dotted.path: message`), checked before anything builds. */
export function secretProblems(
  spec: PipelineSpec,
  given: string[],
  fromRefs: Record<string, string[]>,
  nodes: GraphNode[],
): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const [name, step] of Object.entries(spec.steps)) {
    step.secrets.forEach((secret, i) => {
      used.add(secret);
      if (!given.includes(secret))
        problems.push(
          `steps.${name}.secrets[${i}]: secret ${secret} was not given (pass ` +
            `--secret ${secret} or --secret ${secret}=@FILE)`,
        );
    });
  }
  for (const secret of given) {
    if (!used.has(secret)) problems.push(`secret ${secret} was given but no step lists it in its secrets`);
  }
  const tainted = taintedSteps(spec, fromRefs, nodes);
  const final = spec.steps[spec.final];
  if (final && final.secrets.length > 0) {
    problems.push(
      `steps.${spec.final}.secrets: the final step cannot use secrets (they would stay in its image history); ` +
        `use them in an earlier step and copy its output into the final step with artifacts`,
    );
  } else if (tainted.has(spec.final)) {
    const via = [...ancestors(nodes, spec.final, (n) => fromRefs[n.name] ?? [])].filter(
      (s) => (spec.steps[s]?.secrets.length ?? 0) > 0,
    );
    problems.push(
      `steps.${spec.final}.dockerfile: the final step builds FROM "${via.join('", "')}", ` +
        'which uses secrets; copy what it needs with artifacts instead',
    );
  }
  return problems;
}

/** Steps that list a secret, and steps that build FROM one of those (transitively). */
export function taintedSteps(spec: PipelineSpec, fromRefs: Record<string, string[]>, nodes: GraphNode[]): Set<string> {
  const out = new Set<string>();
  for (const name of Object.keys(spec.steps)) {
    const bases = ancestors(nodes, name, (n) => fromRefs[n.name] ?? []);
    if ((spec.steps[name]?.secrets.length ?? 0) > 0 || [...bases].some((b) => (spec.steps[b]?.secrets.length ?? 0) > 0))
      out.add(name);
  }
  return out;
}

/** The secret values that occur in a text (by name). */
function secretsIn(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => v.length > 0 && text.includes(v))
    .map(([k]) => k);
}

/** Names of the secrets whose value occurs in a file, read as a stream (an artifact can be large). */
async function secretsInFile(path: string, values: ReadonlyArray<readonly [string, Buffer]>): Promise<string[]> {
  const overlap = Math.max(...values.map(([, v]) => v.length)) - 1;
  const found = new Set<string>();
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    for (const [name, value] of values) if (window.includes(value)) found.add(name);
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  return [...found];
}

/**
 * Refuses artifacts that carry a secret value (a file the secret step wrote it into). Links are never followed (lstat).
 */
export async function assertArtifactsSecretFree(
  dir: string,
  secrets: Record<string, string>,
  step: string,
): Promise<void> {
  const values = Object.entries(secrets)
    .filter(([, v]) => v.length >= 4)
    .map(([k, v]) => [k, Buffer.from(v)] as const);
  if (values.length === 0) return;
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.isDirectory()) {
      for (const entry of await readdir(path)) await walk(join(path, entry));
    } else if (info.isFile()) {
      const found = await secretsInFile(path, values);
      if (found.length > 0) {
        throw new SlipwayError(
          'BUILD_FAILED',
          `artifact ${relative(dir, path) || basename(path)} of step ` +
            `"${step}" contains the value of secret ${found.join(', ')}`,
          {
            hint:
              'a secret may be used during a step but must not be written ' +
              'into an artifact; the build was stopped and nothing was kept',
          },
        );
      }
    }
  };
  await walk(dir);
}

/** Defence in depth: the kept image's history, env, labels and command carry no secret value. */
export async function assertImageSecretFree(
  engine: ContainerEngine,
  image: string,
  secrets: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  if (Object.keys(secrets).length === 0) return;
  const info = await engine.inspectImage(image, signal);
  const history = (await engine.imageHistory?.(image, signal)) ?? [];
  const text = JSON.stringify({ info, history: history.map((h) => [h.createdBy, h.comment]) });
  const found = secretsIn(text, secrets);
  if (found.length > 0) {
    throw new SlipwayError(
      'BUILD_FAILED',
      `the final image would carry the value of secret ${found.join(', ')}; it was removed`,
      {
        hint: 'the final step must not receive secrets, directly or through a build argument default',
      },
    );
  }
}
