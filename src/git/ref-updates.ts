import { SlipwayError } from '../core/errors.js';

/** One line of a pre-receive hook's input: `<old-sha> <new-sha> <ref>`. */
export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

/** What a push asks for, as Slipway answers it. */
export type PushPlan =
  | { kind: 'deploy'; commit: string; branch: string; previous: string | null; force: boolean }
  | { kind: 'refuse'; message: string; hint: string };

const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const ZERO = /^0+$/;
// git check-ref-format's rules, the parts that matter here (no "..", no control characters, no leading "-").
const REF = /^refs\/[A-Za-z0-9._/-]{1,240}$/;

/** Parses the hook's stdin strictly: every line three fields, real object ids, a plausible ref name. */
export function parseRefUpdates(text: string): RefUpdate[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length === 0 || lines.length > 1000)
    throw new SlipwayError('INVALID_INPUT', `a push names 1 to 1000 refs (got ${lines.length})`);
  return lines.map((line) => {
    const [old, next, ref, extra] = line.split(' ');
    if (
      extra !== undefined ||
      !old ||
      !next ||
      !ref ||
      !SHA.test(old) ||
      !SHA.test(next) ||
      !REF.test(ref) ||
      ref.includes('..') ||
      ref.includes('//') ||
      ref.endsWith('/') ||
      ref.endsWith('.lock')
    )
      throw new SlipwayError('INVALID_INPUT', `not a ref update: ${JSON.stringify(line.slice(0, 120))}`);
    return { old, new: next, ref };
  });
}

/**
 * Pure: what to do with a push. Only the deploy branch deploys; other branches and tags are refused (with the
 * setting that names the deploy branch), deletes are refused. A force push (`fastForward` false) deploys like
 * any push: the deploy branch follows what was pushed, and the old release stays for a rollback.
 */
export function planPush(
  updates: RefUpdate[],
  deployBranch: string,
  app: string,
  /** Whether the old tip is an ancestor of the new one (false: a force push). */
  fastForward = true,
): PushPlan {
  const wanted = `refs/heads/${deployBranch}`;
  const setting = `slipway apps:settings:set -a ${app} git.branch=BRANCH`;
  const other = updates.find((u) => u.ref !== wanted);
  if (other) {
    const name = other.ref.replace(/^refs\/(heads|tags)\//, '');
    const what = other.ref.startsWith('refs/tags/') ? `tag ${name}` : `branch ${name}`;
    return {
      kind: 'refuse',
      message: `${app} deploys only from branch ${deployBranch}; the push names ${what}`,
      hint:
        `push it as the deploy branch (git push REMOTE ${name.startsWith('-') ? 'REF' : name}:${deployBranch}) ` +
        `or change the deploy branch: ${setting}`,
    };
  }
  const update = updates[0]!;
  if (ZERO.test(update.new))
    return {
      kind: 'refuse',
      message: `deleting branch ${deployBranch} of ${app} is refused: it is the deploy branch`,
      hint: `to stop the app: slipway ps:scale -a ${app} web=0; to remove it: slipway apps:destroy ${app}`,
    };
  const previous = ZERO.test(update.old) ? null : update.old;
  const force = previous !== null && !fastForward;
  return { kind: 'deploy', commit: update.new, branch: deployBranch, previous, force };
}
