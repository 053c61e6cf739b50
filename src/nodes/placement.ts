import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';
import type { AppSettings } from '../core/types.js';
import { LABEL_KEY_RE, LABEL_VALUE_RE } from './node-labels.js';

/**
 * `placement.TYPE=region==eu,disk!=hdd`: where a process type's tasks may run, as Docker Swarm
 * placement constraints (pure). A bare name is a node label (`region==eu` → `node.labels.region==eu`);
 * `node.hostname`, `node.id`, `node.role`, `node.platform.os|arch`, `node.labels.K`, `engine.labels.K`
 * are passed on as Swarm knows them. Operators: `==` and `!=`.
 */

const FIELDS = new Set(['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch']);
const HINT =
  'e.g. placement.web=region==eu or placement.worker=node.labels.disk==ssd,node.role!=manager ' +
  '(several constraints separated by ","; == or !=; an empty value removes the setting)';

function bad(reason: string): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `placement: ${reason}`, { hint: HINT });
}

/** One constraint in the form Swarm takes (`node.labels.region==eu`). */
export function parseConstraint(text: string): string {
  const m = /^([^=!]+?)\s*(==|!=)\s*([^=!]+)$/.exec(text.trim());
  if (!m) throw bad(`${JSON.stringify(text.slice(0, 80))} is not NAME==VALUE or NAME!=VALUE`);
  const [, left, op, value] = m as unknown as [string, string, string, string];
  if (!LABEL_VALUE_RE.test(value.trim())) throw bad(`${JSON.stringify(value.slice(0, 80))} is not a label value`);
  let field: string;
  if (FIELDS.has(left)) field = left;
  else if (left.startsWith('node.labels.') || left.startsWith('engine.labels.')) {
    const key = left.slice(left.indexOf('.labels.') + '.labels.'.length);
    if (!LABEL_KEY_RE.test(key)) throw bad(`${JSON.stringify(key.slice(0, 80))} is not a label name`);
    field = left;
  } else if (!left.includes('.') || (LABEL_KEY_RE.test(left) && !left.startsWith('node.'))) {
    if (!LABEL_KEY_RE.test(left)) throw bad(`${JSON.stringify(left.slice(0, 80))} is not a label name`);
    field = `node.labels.${left}`;
  } else throw bad(`${JSON.stringify(left.slice(0, 80))} is not a field Swarm places by`);
  if (field === 'node.role' && !['manager', 'worker'].includes(value.trim()))
    throw bad('node.role is manager or worker');
  return `${field}${op}${value.trim()}`;
}

/** `region==eu,disk!=hdd` → Swarm constraints; an empty value means "anywhere" (no constraint). */
export function parsePlacement(value: string): string[] {
  if (value.trim() === '') return [];
  if (value.length > 2000) throw bad('at most 2000 characters');
  const parts = value.split(',');
  if (parts.length > 20) throw bad('at most 20 constraints');
  const constraints = parts.map(parseConstraint);
  return [...new Set(constraints)];
}

const typeKey = z.string().refine((t) => t === '*' || isValidProcessType(t), 'a process type name or "*"');

/** The stored form: constraints by process type (`*` = every type). */
export const placementSchema = z.record(
  typeKey,
  z
    .array(z.string().refine((c) => tryParse(c) === c, 'a placement constraint'))
    .min(1)
    .max(20),
);

function tryParse(constraint: string): string | undefined {
  try {
    return parseConstraint(constraint);
  } catch {
    return undefined;
  }
}

/**
 * `placement=…` (every type) or `placement.TYPE=…` (one type) of `apps:settings:set`; an empty value
 * removes it. Returns false for any other key (pure: changes `settings` in place, a fresh clone).
 */
export function applyPlacement(settings: AppSettings, key: string, raw: string): boolean {
  if (key !== 'placement' && !key.startsWith('placement.')) return false;
  const type = key === 'placement' ? '*' : key.slice('placement.'.length);
  if (type !== '*' && !isValidProcessType(type))
    throw new SlipwayError('INVALID_INPUT', `${key.slice(0, 80)}: not a process type name`, {
      hint: 'e.g. placement.web=region==eu (process types are lowercase letters, digits, "_" or "-")',
    });
  const constraints = parsePlacement(raw);
  const next = { ...(settings.placement ?? {}) };
  if (constraints.length === 0) delete next[type];
  else next[type] = constraints;
  if (Object.keys(next).length === 0) delete settings.placement;
  else settings.placement = next;
  return true;
}

/** The constraints of one process type: its own entry, else the `*` entry, else none (anywhere). */
export function placementFor(settings: Pick<AppSettings, 'placement'>, type: string): string[] {
  const placement = settings.placement ?? {};
  if (Object.hasOwn(placement, type)) return [...placement[type]!];
  return Object.hasOwn(placement, '*') ? [...placement['*']!] : [];
}

/** What a constraint can be checked against (the node fields Slipway reads from Swarm). */
export interface PlacementNode {
  id: string;
  name: string;
  role: string;
  labels: Record<string, string>;
}

/**
 * Whether Swarm may place a task with these constraints on `node` (pure); undefined when a constraint reads
 * a field Slipway does not see (`node.platform.*`, `engine.labels.*`): only Swarm can tell.
 */
export function nodeSatisfies(node: PlacementNode, constraints: string[]): boolean | undefined {
  let known = true;
  for (const constraint of constraints) {
    const m = /^(.+?)(==|!=)(.*)$/.exec(constraint);
    if (!m) return undefined;
    const [, field, op, value] = m as unknown as [string, string, string, string];
    let actual: string | undefined;
    if (field === 'node.id') actual = node.id;
    else if (field === 'node.hostname') actual = node.name;
    else if (field === 'node.role') actual = node.role;
    else if (field.startsWith('node.labels.')) actual = node.labels[field.slice('node.labels.'.length)];
    else {
      known = false;
      continue;
    }
    // Swarm compares label values case-insensitively; a missing label never equals anything.
    const equal = actual !== undefined && actual.toLowerCase() === value.toLowerCase();
    if ((op === '==') !== equal) return false;
  }
  return known ? true : undefined;
}
