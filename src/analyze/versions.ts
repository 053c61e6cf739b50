import type { AppFiles } from './read-source.js';
import type { RuntimeVersion } from './types.js';
import { stripHashComment } from './text.js';

/**
 * Runtime version selection. Precedence: env override > manifest > version file > default.
 * Never looks at the host's installed tools.
 */

export type RuntimeName = 'node' | 'python' | 'ruby' | 'php' | 'go';

interface RuntimeFacts {
  /** Env var that overrides everything, e.g. SLIPWAY_NODE_VERSION. */
  envVar: string;
  /** Documented default (a tag line of the official image). */
  defaultVersion: string;
  /** Known release lines, newest first; ranges resolve to the default or the newest line that satisfies them. */
  lines: string[];
  /** Version files for this runtime, checked in order, then `.tool-versions`. */
  versionFiles: string[];
  /** Names used for the runtime in `.tool-versions` (asdf / mise). */
  toolNames: string[];
  /** The version Debian bookworm packages, for the `runtime: debian` warning. */
  debianVersion: string;
}

export const RUNTIMES: Record<RuntimeName, RuntimeFacts> = {
  node: {
    envVar: 'SLIPWAY_NODE_VERSION',
    defaultVersion: '20',
    lines: ['22', '20', '18'],
    versionFiles: ['.nvmrc', '.node-version'],
    toolNames: ['nodejs', 'node'],
    debianVersion: '18.19',
  },
  python: {
    envVar: 'SLIPWAY_PYTHON_VERSION',
    defaultVersion: '3.12',
    lines: ['3.13', '3.12', '3.11', '3.10', '3.9'],
    versionFiles: ['.python-version'],
    toolNames: ['python'],
    debianVersion: '3.11',
  },
  ruby: {
    envVar: 'SLIPWAY_RUBY_VERSION',
    defaultVersion: '3.3',
    lines: ['3.4', '3.3', '3.2', '3.1'],
    versionFiles: ['.ruby-version'],
    toolNames: ['ruby'],
    debianVersion: '3.1',
  },
  php: {
    envVar: 'SLIPWAY_PHP_VERSION',
    defaultVersion: '8.3',
    lines: ['8.4', '8.3', '8.2', '8.1'],
    versionFiles: ['.php-version'],
    toolNames: ['php'],
    debianVersion: '8.2',
  },
  go: {
    envVar: 'SLIPWAY_GO_VERSION',
    defaultVersion: '1.22',
    lines: ['1.23', '1.22', '1.21'],
    versionFiles: ['.go-version'],
    toolNames: ['golang', 'go'],
    debianVersion: '1.19',
  },
};

export interface VersionClaim {
  value: string;
  file: string;
  line?: number;
  reason: string;
}

/** Reads the version files (nearest first, walking up to the root) for a runtime. */
export async function readVersionFile(files: AppFiles, runtime: RuntimeName): Promise<VersionClaim | undefined> {
  const facts = RUNTIMES[runtime];
  for (const name of facts.versionFiles) {
    const found = await files.findUp(name);
    if (!found) continue;
    const lines = found.text.split(/\r?\n/);
    const index = lines.findIndex((l) => stripHashComment(l).trim() !== '');
    if (index === -1) continue;
    return {
      value: stripHashComment(lines[index] ?? '').trim(),
      file: found.file,
      line: index + 1,
      reason: `${name} pins ${runtime}`,
    };
  }
  const tools = await files.findUp('.tool-versions');
  if (tools) {
    const lines = tools.text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const [tool, version] = stripHashComment(lines[i] ?? '')
        .trim()
        .split(/\s+/);
      if (tool && version && facts.toolNames.includes(tool)) {
        return { value: version, file: tools.file, line: i + 1, reason: `.tool-versions pins ${tool}` };
      }
    }
  }
  return undefined;
}

export interface VersionInputs {
  env: Record<string, string | undefined>;
  manifest?: VersionClaim;
  versionFile?: VersionClaim;
}

/** Picks the runtime version by precedence and turns a constraint into an image tag. */
export function selectRuntimeVersion(runtime: RuntimeName, inputs: VersionInputs, warnings: string[]): RuntimeVersion {
  const facts = RUNTIMES[runtime];
  const envValue = inputs.env[facts.envVar]?.trim();
  if (envValue) {
    return {
      runtime,
      requested: envValue,
      version: resolveVersion(runtime, envValue, warnings),
      source: 'env',
      reason: `${facts.envVar} is set`,
    };
  }
  for (const [claim, source] of [
    [inputs.manifest, 'manifest'],
    [inputs.versionFile, 'version-file'],
  ] as const) {
    if (!claim) continue;
    return {
      runtime,
      requested: claim.value,
      version: resolveVersion(runtime, claim.value, warnings),
      source,
      file: claim.file,
      ...(claim.line === undefined ? {} : { line: claim.line }),
      reason: claim.reason,
    };
  }
  return {
    runtime,
    requested: null,
    version: facts.defaultVersion,
    source: 'default',
    reason: `no version pinned; Slipway's default ${runtime} is ${facts.defaultVersion}`,
  };
}

const NODE_LTS: Record<string, string> = { 'lts/hydrogen': '18', 'lts/iron': '20', 'lts/jod': '22' };

/** Turns `v20.11.1`, `ruby-3.2.2`, `>=3.9,<4`, `^8.1`, `~> 3.2.0`, `lts/iron` into an image tag. */
export function resolveVersion(runtime: RuntimeName, requested: string, warnings: string[]): string {
  const facts = RUNTIMES[runtime];
  let value = requested.trim().toLowerCase();
  if (runtime === 'node' && value.startsWith('lts/')) {
    const known = NODE_LTS[value];
    if (known) return known;
    if (value !== 'lts/*')
      warnings.push(`unknown node alias ${JSON.stringify(requested)}; using ${facts.defaultVersion}`);
    return facts.defaultVersion;
  }
  value = value.replace(/^(ruby-|python-|go|v)(?=\d)/, '');
  if (/^\d+(\.\d+){0,2}$/.test(value)) return value;
  const satisfies = (candidate: string) => satisfiesRange(candidate, value);
  if (satisfies(facts.defaultVersion)) return facts.defaultVersion;
  const newest = facts.lines.find(satisfies);
  if (newest) return newest;
  const literal = /\d+(\.\d+)?/.exec(value)?.[0];
  const fallback = literal ?? facts.defaultVersion;
  warnings.push(`no known ${runtime} release line satisfies ${JSON.stringify(requested)}; using ${fallback}`);
  return fallback;
}

type Version = number[];

function parseVersion(s: string): Version | undefined {
  const m = /^v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?/.exec(s.trim());
  if (!m) return undefined;
  const parts: Version = [];
  for (const p of [m[1], m[2], m[3]]) {
    if (p === undefined || p === 'x' || p === '*') break;
    parts.push(Number(p));
  }
  return parts;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function bump(v: Version, index: number): Version {
  const out = v.slice(0, index + 1);
  out[index] = (out[index] ?? 0) + 1;
  return out;
}

/** Whether a release line (e.g. `3.12`, checked as `3.12.999`) satisfies a npm/PEP 440/Bundler/Composer-style range. */
export function satisfiesRange(line: string, range: string): boolean {
  const candidate = [...(parseVersion(line) ?? []), 999, 999].slice(0, 3);
  return range.split('||').some((alternative) => {
    const comparators = alternative
      .replace(/(>=|<=|~>|~=|==|!=|[<>^~=])\s+/g, '$1')
      .split(/[\s,]+/)
      .filter(Boolean);
    return comparators.length > 0 && comparators.every((c) => satisfiesComparator(candidate, c));
  });
}

function satisfiesComparator(candidate: Version, comparator: string): boolean {
  const m = /^(>=|<=|~>|~=|==|!=|[<>^~=])?(.*)$/.exec(comparator);
  const op = m?.[1] ?? '';
  const target = parseVersion(m?.[2] ?? '');
  if (!target) return comparator === '*' || comparator === 'x';
  if (target.length === 0) return true;
  const c = compare(candidate, target);
  switch (op) {
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0 || startsWith(candidate, target);
    case '<':
      return c < 0;
    case '!=':
      return !startsWith(candidate, target);
    case '^': {
      const firstNonZero = target.findIndex((n) => n !== 0);
      const upper = bump(target, firstNonZero === -1 ? target.length - 1 : firstNonZero);
      return c >= 0 && compare(candidate, upper) < 0;
    }
    case '~':
      return c >= 0 && compare(candidate, bump(target, target.length > 1 ? 1 : 0)) < 0;
    case '~>':
    case '~=':
      return c >= 0 && compare(candidate, bump(target, Math.max(0, target.length - 2))) < 0;
    default:
      return startsWith(candidate, target);
  }
}

function startsWith(candidate: Version, prefix: Version): boolean {
  return prefix.every((n, i) => candidate[i] === n);
}

/** A warning when Debian's packaged runtime does not satisfy what the app asked for. */
export function debianVersionWarning(version: RuntimeVersion): string | undefined {
  if (version.runtime === 'none' || version.source === 'default' || version.requested === null) return undefined;
  const facts = RUNTIMES[version.runtime];
  const debian = parseVersion(facts.debianVersion) ?? [];
  const written = version.requested.trim();
  const requested = (written.startsWith('lts/') ? version.version : written).replace(/^(ruby-|python-|go|v)(?=\d)/, '');
  const exact = /^\d+(\.\d+){0,2}$/.test(requested);
  const ok = exact
    ? startsWith(debian, (parseVersion(requested) ?? []).slice(0, 2))
    : satisfiesRange(facts.debianVersion, requested);
  if (ok) return undefined;
  const where = version.file ? `${version.file}${version.line ? `:${version.line}` : ''}` : version.reason;
  return (
    `runtime "debian" installs Debian bookworm's ${version.runtime} ` +
    `${facts.debianVersion}, but ${where} asks for ${version.requested}`
  );
}
