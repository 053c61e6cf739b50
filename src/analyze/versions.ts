import type { AppFiles } from './read-source.js';
import { lineSpan, RUNTIMES, type RuntimeName } from './runtime-images.js';
import { stripHashComment } from './text.js';
import type { RuntimeMinimum, RuntimeVersion, VersionSource } from './types.js';

export { RUNTIMES, type RuntimeName } from './runtime-images.js';

/**
 * Runtime version selection (pure apart from reading version files). An exact pin wins over a
 * range: the env override, then a lockfile's exact version (Gemfile.lock `RUBY VERSION`), a version
 * file (`.python-version`, `.nvmrc`, `runtime.txt`, `.tool-versions`), an exact manifest value
 * (go.mod `toolchain`, `engines.node: 20.11.1`); only then a manifest range, resolved to a release line
 * that has an official image (runtime-images.ts). Never looks at the host's installed tools.
 * Ranges are npm / PEP 440 / Bundler / Composer style: one hand-written matcher for all four (the
 * npm `semver` package speaks only npm's dialect).
 */

export interface VersionClaim {
  value: string;
  file: string;
  line?: number;
  reason: string;
}

export interface VersionInputs {
  env: Record<string, string | undefined>;
  /** An exact version a lockfile records (Gemfile.lock RUBY VERSION). */
  lock?: VersionClaim | undefined;
  versionFile?: VersionClaim | undefined;
  /** What the manifest asks for (a range or an exact version). */
  manifest?: VersionClaim | undefined;
  /** The lowest version the app's framework supports (see frameworkMinimum). */
  minimum?: RuntimeMinimum | undefined;
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

const PREFIX = /^(ruby-|python-|go|v|php-|node-)(?=\d)/;

/** `v20.1`, `ruby-3.2.2`, `go1.22` → `20.1`, `3.2.2`, `1.22` (lowercase, trimmed). */
export function normalizeVersion(value: string): string {
  return value.trim().toLowerCase().replace(PREFIX, '');
}

const normalize = normalizeVersion;

/** An exact version or release line (`3.12`, `20.11.1`, `lts/iron`), as opposed to a range. */
export function isExactVersion(value: string): boolean {
  const v = normalize(value);
  return /^\d+(\.\d+){0,2}$/.test(v) || (v.startsWith('lts/') && v !== 'lts/*');
}

export function where(claim: { file?: string | undefined; line?: number | undefined }): string {
  return claim.file ? `${claim.file}${claim.line ? `:${claim.line}` : ''}` : '';
}

/** Picks the runtime version by precedence and turns it into a version an official image tag exists for. */
export function selectRuntimeVersion(runtime: RuntimeName, inputs: VersionInputs): RuntimeVersion {
  const facts = RUNTIMES[runtime];
  const envValue = inputs.env[facts.envVar]?.trim();
  const base = { runtime, debian: facts.debianVersion, ...(inputs.minimum ? { minimum: inputs.minimum } : {}) };
  if (envValue) {
    const { version, problem } = resolveVersion(runtime, envValue);
    return {
      ...base,
      requested: envValue,
      version,
      source: 'env',
      reason: `${facts.envVar} is set`,
      ...(problem ? { officialNote: `${facts.envVar}=${envValue}: ${problem}; set a supported version` } : {}),
    };
  }
  const ordered: Array<[VersionClaim | undefined, VersionSource]> = [
    [inputs.lock, 'lockfile'],
    [inputs.versionFile, 'version-file'],
    [inputs.manifest, 'manifest'],
  ];
  const present = ordered.filter((c): c is [VersionClaim, VersionSource] => c[0] !== undefined);
  const chosen = present.find(([c]) => isExactVersion(c.value)) ?? present[0];
  if (!chosen) {
    return {
      ...base,
      requested: null,
      version: facts.defaultVersion,
      source: 'default',
      reason: `no version pinned; Slipway's default ${runtime} is ${facts.defaultVersion}`,
    };
  }
  const [claim, source] = chosen;
  const { version, problem } = resolveVersion(runtime, claim.value);
  const notes: string[] = [];
  const range = inputs.manifest;
  if (range && range !== claim && !isExactVersion(range.value) && !satisfiesRange(normalize(claim.value), range.value))
    notes.push(
      `${where(claim)} pins ${runtime} ${claim.value}, which ${where(range)} does not allow (${range.value}); ` +
        `using ${claim.value} — make them agree`,
    );
  return {
    ...base,
    requested: claim.value,
    version,
    source,
    file: claim.file,
    ...(claim.line === undefined ? {} : { line: claim.line }),
    reason: claim.reason,
    ...(problem
      ? {
          officialNote:
            `${where(claim)} asks for ${runtime} ${claim.value}: ${problem}; ` +
            `set a version the official images have (${runtime} ${lineSpan(runtime)}) or ${facts.envVar}`,
        }
      : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

const NODE_LTS: Record<string, string> = {
  'lts/hydrogen': '18',
  'lts/iron': '20',
  'lts/jod': '22',
  'lts/krypton': '24',
};

/**
 * Turns `v20.11.1`, `ruby-3.2.2`, `>=3.9,<4`, `^8.1`, `~> 3.2.0`, `lts/iron` into a version that has
 * an official bookworm image: an exact release when its tag exists, else its line, else the nearest
 * line (never a tag that does not exist). `problem` says what could not be honoured.
 */
export function resolveVersion(runtime: RuntimeName, requested: string): { version: string; problem?: string } {
  const facts = RUNTIMES[runtime];
  const value = normalize(requested);
  if (runtime === 'node' && (value.startsWith('lts/') || value === 'node' || value === 'latest')) {
    const known = NODE_LTS[value];
    if (known) return { version: known };
    if (value === 'lts/*') return { version: facts.defaultVersion };
    if (value === 'node' || value === 'latest') return { version: facts.lines[0]!.line };
    return { version: facts.defaultVersion, problem: `unknown alias; using node ${facts.defaultVersion}` };
  }
  const parts = parseVersion(value);
  if (/^\d+(\.\d+){0,2}$/.test(value) && parts && parts.length >= facts.lineParts) {
    const key = parts.slice(0, facts.lineParts).join('.');
    const line = facts.lines.find((l) => l.line === key);
    if (!line) {
      const nearest = nearestLine(runtime, parts);
      return { version: nearest, problem: `no official Debian bookworm image has it; using ${runtime} ${nearest}` };
    }
    if (parts.length === facts.lineParts) return { version: line.line };
    if (compare(parts, parseVersion(line.since) ?? []) >= 0) return { version: value };
    return {
      version: line.line,
      problem:
        `the first ${runtime} ${line.line} release with a bookworm image is ${line.since}; ` +
        `using ${line.line} (its newest patch release)`,
    };
  }
  const satisfies = (candidate: string) => satisfiesRange(candidate, value);
  if (satisfies(facts.defaultVersion)) return { version: facts.defaultVersion };
  const newest = facts.lines.find((l) => satisfies(l.line));
  if (newest) return { version: newest.line };
  const nearest = nearestLine(runtime, parseVersion(/\d+(\.\d+)*/.exec(value)?.[0] ?? '') ?? []);
  return {
    version: nearest,
    problem: `no ${runtime} release line with an official bookworm image satisfies it; using ${nearest}`,
  };
}

/** The oldest line at or above the version, else the newest line. */
function nearestLine(runtime: RuntimeName, parts: Version): string {
  const facts = RUNTIMES[runtime];
  const key = parts.slice(0, facts.lineParts);
  const above = [...facts.lines].reverse().find((l) => compare(parseVersion(l.line) ?? [], key) >= 0);
  return (above ?? facts.lines[0]!).line;
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

export function compareVersions(a: string, b: string): number {
  return compare(parseVersion(a) ?? [], parseVersion(b) ?? []);
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

/**
 * Whether a version satisfies a npm/PEP 440/Bundler/Composer-style range. A release line (`3.12`)
 * is checked as its newest patch (`3.12.999`); an exact version (`3.12.1`) as itself.
 */
export function satisfiesRange(line: string, range: string): boolean {
  const parsed = parseVersion(line) ?? [];
  const candidate = parsed.length >= 3 ? parsed.slice(0, 3) : [...parsed, 999, 999].slice(0, 3);
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

/** Whether `version` is in the release line of `exact`'s first two parts (`3.11.2` is in `3.11.9`'s line). */
export function versionStartsWith(version: string, exact: string): boolean {
  return startsWith(parseVersion(version) ?? [], (parseVersion(exact) ?? []).slice(0, 2));
}
