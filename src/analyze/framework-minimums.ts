import type { RuntimeName } from './runtime-images.js';
import type { RuntimeMinimum } from './types.js';
import { compareVersions } from './versions.js';

/** The lowest version a requirement allows (`>=6.0,<6.1` → `6.0`, `~> 8.1.2` → `8.1.2`, `^4.0` → `4.0`). */
export function lowestAllowed(spec: string): string | undefined {
  const first = spec.split('||')[0] ?? '';
  const bounds = first
    .replace(/(>=|<=|~>|~=|==|!=|[<>^~=])\s+/g, '$1')
    .split(/[\s,]+/)
    .flatMap((c) => {
      const m = /^(>=|<=|~>|~=|==|!=|[<>^~=])?v?(\d+(?:\.\d+){0,2})/.exec(c);
      return m && !['<', '<=', '!='].includes(m[1] ?? '') ? [m[2]!] : [];
    });
  return bounds.sort((a, b) => compareVersions(b, a))[0];
}

/** Lowest runtime each framework release supports (the frameworks' own release notes), newest first. */
const FRAMEWORK_MINIMUMS: Record<string, { runtime: RuntimeName; label: string; table: Array<[string, string]> }> = {
  django: {
    runtime: 'python',
    label: 'Django',
    table: [
      ['6.0', '3.12'],
      ['5.0', '3.10'],
      ['4.0', '3.8'],
    ],
  },
  rails: {
    runtime: 'ruby',
    label: 'Rails',
    table: [
      ['8.0', '3.2'],
      ['7.2', '3.1'],
      ['7.0', '2.7'],
    ],
  },
  'laravel/framework': {
    runtime: 'php',
    label: 'Laravel',
    table: [
      ['11.0', '8.2'],
      ['10.0', '8.1'],
    ],
  },
  'symfony/framework-bundle': {
    runtime: 'php',
    label: 'Symfony',
    table: [
      ['7.0', '8.2'],
      ['6.4', '8.1'],
    ],
  },
  'slim/slim': { runtime: 'php', label: 'Slim', table: [['4.0', '7.4']] },
  next: {
    runtime: 'node',
    label: 'Next.js',
    table: [
      ['16.0', '20.9'],
      ['15.0', '18.18'],
      ['14.0', '18.17'],
    ],
  },
};

/** The runtime a framework dependency needs at least, from the lowest version its requirement allows. */
export function frameworkMinimum(
  dependency: string,
  spec: string | undefined,
  at: { file: string; line?: number | undefined },
): RuntimeMinimum | undefined {
  const known = FRAMEWORK_MINIMUMS[dependency];
  const lowest = spec ? lowestAllowed(spec) : undefined;
  if (!known || !lowest) return undefined;
  const row = known.table.find(([release]) => compareVersions(lowest, release) >= 0);
  if (!row) return undefined;
  return {
    version: row[1],
    reason: `${known.label} ${lowest.split('.').slice(0, 2).join('.')} needs ${known.runtime} ≥ ${row[1]}`,
    file: at.file,
    ...(at.line === undefined ? {} : { line: at.line }),
  };
}
