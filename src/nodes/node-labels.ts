import { SlipwayError } from '../core/errors.js';

/**
 * `nodes:label NAME k=v k2- k3=`: label changes, parsed and checked at the boundary (pure).
 * Keys: letters, digits, `.`, `_`, `-` (starting and ending with a letter or digit), at most 128;
 * values: no spaces, `,` or `=` (placement constraints are split on them), at most 256.
 * `slipway.*` keys are Slipway's own (e.g. the engine endpoint of a joined node) and Docker reserves
 * `com.docker.*`, `io.docker.*`, `org.dockerproject.*`.
 */

export interface LabelChanges {
  set: Record<string, string>;
  remove: string[];
}

export const LABEL_KEY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
export const LABEL_VALUE_RE = /^[A-Za-z0-9._:/@+~-]{1,256}$/;
const RESERVED = ['slipway.', 'com.docker.', 'io.docker.', 'org.dockerproject.'];
/** Slipway's labels that users set: `slipway.ingress=true` puts an ingress HAProxy on the node. */
export const USER_SLIPWAY_LABELS: Record<string, readonly string[]> = { 'slipway.ingress': ['true', 'false'] };
const HINT = 'e.g. slipway nodes:label NODE region=eu disk=ssd (set), region- (remove)';

function shown(word: string): string {
  return JSON.stringify(word.length > 60 ? `${word.slice(0, 60)}…` : word);
}

export function checkLabelKey(key: string): string {
  if (!LABEL_KEY_RE.test(key))
    throw new SlipwayError('INVALID_INPUT', `not a label name: ${shown(key)}`, {
      hint: `label names are letters, digits, ".", "_" or "-" (at most 128); ${HINT}`,
    });
  if (key in USER_SLIPWAY_LABELS) return key;
  if (RESERVED.some((prefix) => key.toLowerCase().startsWith(prefix)))
    throw new SlipwayError('INVALID_INPUT', `label ${shown(key)} is reserved`, {
      hint: `${RESERVED.map((p) => `${p}*`).join(', ')} belong to Slipway and Docker; pick another name`,
    });
  return key;
}

export function checkLabelValue(key: string, value: string): string {
  const allowed = USER_SLIPWAY_LABELS[key];
  if (allowed && !allowed.includes(value))
    throw new SlipwayError('INVALID_INPUT', `label ${key} is ${allowed.join(' or ')}, not ${shown(value)}`, {
      hint: `e.g. slipway nodes:label NODE ${key}=true (an ingress HAProxy on that node), ${key}- to remove it`,
    });
  if (!LABEL_VALUE_RE.test(value))
    throw new SlipwayError('INVALID_INPUT', `label ${key}: not a label value: ${shown(value)}`, {
      hint: 'values are 1-256 letters, digits or . _ : / @ + ~ - (no spaces, "," or "=")',
    });
  return value;
}

export function parseLabelChanges(words: string[]): LabelChanges {
  if (words.length === 0) throw new SlipwayError('INVALID_INPUT', 'no label to change', { hint: HINT });
  if (words.length > 100) throw new SlipwayError('INVALID_INPUT', 'at most 100 label changes at once', { hint: HINT });
  const changes: LabelChanges = { set: {}, remove: [] };
  const seen = new Set<string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    const removal = eq < 0 ? word.endsWith('-') : eq === word.length - 1;
    if (eq < 0 && !removal)
      throw new SlipwayError('INVALID_INPUT', `${shown(word)} is neither k=v nor k-`, { hint: HINT });
    const key = checkLabelKey(eq < 0 ? word.slice(0, -1) : word.slice(0, eq));
    if (seen.has(key)) throw new SlipwayError('INVALID_INPUT', `label ${key} is given twice`, { hint: HINT });
    seen.add(key);
    if (removal) changes.remove.push(key);
    else Object.defineProperty(changes.set, key, { value: checkLabelValue(key, word.slice(eq + 1)), enumerable: true });
  }
  return changes;
}

/** The node's labels after the changes (pure); Slipway's own labels are kept as they are. */
export function applyLabelChanges(labels: Record<string, string>, changes: LabelChanges): Record<string, string> {
  const next: Record<string, string> = { ...labels };
  for (const key of changes.remove) delete next[key];
  for (const [key, value] of Object.entries(changes.set)) next[key] = value;
  return next;
}

/** Labels users see and set (Slipway's own `slipway.*` are bookkeeping). */
export function userLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter(([k]) => !k.startsWith('slipway.') || k in USER_SLIPWAY_LABELS),
  );
}
