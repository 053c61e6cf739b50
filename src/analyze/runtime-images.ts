/**
 * The official language images Slipway's generated Dockerfiles use, per runtime: which release
 * lines have a Debian bookworm image and from which patch release on (docker-library builds only the
 * newest patch of each line, so a patch released before the line got its bookworm variant has no such
 * tag). A version outside this table is never written into a FROM line: the nearest line is used, with
 * a warning. Kept current by hand — add a line when it ships (`docker manifest inspect IMAGE:TAG`).
 */
export const IMAGE_TABLE_AS_OF = '2026-02';

export type RuntimeName = 'node' | 'python' | 'ruby' | 'php' | 'go';

export interface ReleaseLine {
  /** `22` (Node majors) or `3.12` (major.minor for the others). */
  line: string;
  /** The first patch release of the line that has a bookworm image tag. */
  since: string;
}

export interface RuntimeFacts {
  /** Env var that overrides everything, e.g. SLIPWAY_NODE_VERSION. */
  envVar: string;
  /** Used when nothing pins a version: a maintained line. */
  defaultVersion: string;
  /** Lines with official bookworm images, newest first. */
  lines: ReleaseLine[];
  /** How many version parts name a line (Node: 1, `22`; the others: 2, `3.12`). */
  lineParts: 1 | 2;
  /** Version files for this runtime, checked in order, then `.tool-versions`. */
  versionFiles: string[];
  /** Names used for the runtime in `.tool-versions` (asdf / mise). */
  toolNames: string[];
  /** What Debian bookworm installs with `runtime: debian`: its package and version. */
  debianPackage: string;
  debianVersion: string;
}

const lines = (...pairs: Array<[string, string]>): ReleaseLine[] => pairs.map(([line, since]) => ({ line, since }));

export const RUNTIMES: Record<RuntimeName, RuntimeFacts> = {
  node: {
    envVar: 'SLIPWAY_NODE_VERSION',
    defaultVersion: '22',
    lines: lines(
      ['25', '25.0.0'],
      ['24', '24.0.0'],
      ['23', '23.0.0'],
      ['22', '22.0.0'],
      ['21', '21.0.0'],
      ['20', '20.4.0'],
      ['18', '18.17.0'],
    ),
    lineParts: 1,
    versionFiles: ['.nvmrc', '.node-version'],
    toolNames: ['nodejs', 'node'],
    debianPackage: 'nodejs',
    debianVersion: '18.19',
  },
  python: {
    envVar: 'SLIPWAY_PYTHON_VERSION',
    defaultVersion: '3.13',
    lines: lines(
      ['3.14', '3.14.0'],
      ['3.13', '3.13.0'],
      ['3.12', '3.12.0'],
      ['3.11', '3.11.4'],
      ['3.10', '3.10.12'],
      ['3.9', '3.9.17'],
      ['3.8', '3.8.17'],
    ),
    lineParts: 2,
    versionFiles: ['.python-version', 'runtime.txt'],
    toolNames: ['python'],
    debianPackage: 'python3',
    debianVersion: '3.11',
  },
  ruby: {
    envVar: 'SLIPWAY_RUBY_VERSION',
    defaultVersion: '3.4',
    lines: lines(
      ['4.0', '4.0.0'],
      ['3.4', '3.4.0'],
      ['3.3', '3.3.0'],
      ['3.2', '3.2.2'],
      ['3.1', '3.1.4'],
      ['3.0', '3.0.6'],
    ),
    lineParts: 2,
    versionFiles: ['.ruby-version'],
    toolNames: ['ruby'],
    debianPackage: 'ruby',
    debianVersion: '3.1',
  },
  php: {
    envVar: 'SLIPWAY_PHP_VERSION',
    defaultVersion: '8.4',
    lines: lines(['8.5', '8.5.0'], ['8.4', '8.4.0'], ['8.3', '8.3.0'], ['8.2', '8.2.7'], ['8.1', '8.1.20']),
    lineParts: 2,
    versionFiles: ['.php-version'],
    toolNames: ['php'],
    debianPackage: 'php-cli',
    debianVersion: '8.2',
  },
  go: {
    envVar: 'SLIPWAY_GO_VERSION',
    defaultVersion: '1.24',
    lines: lines(
      ['1.25', '1.25.0'],
      ['1.24', '1.24.0'],
      ['1.23', '1.23.0'],
      ['1.22', '1.22.0'],
      ['1.21', '1.21.0'],
      ['1.20', '1.20.5'],
    ),
    lineParts: 2,
    versionFiles: ['.go-version'],
    toolNames: ['golang', 'go'],
    debianPackage: 'golang-go',
    debianVersion: '1.19',
  },
};

/** The official image of a version (a line or an exact release from the table above). */
export function officialImage(runtime: RuntimeName, version: string, variant?: 'cli' | 'apache' | 'fpm'): string {
  switch (runtime) {
    case 'node':
      return `node:${version}-bookworm-slim`;
    case 'python':
      return `python:${version}-slim-bookworm`;
    case 'ruby':
      return `ruby:${version}-slim-bookworm`;
    case 'php':
      return `php:${version}-${variant ?? 'cli'}-bookworm`;
    case 'go':
      return `golang:${version}-bookworm`;
  }
}

/** The supported lines as a range for messages, e.g. `18–25`. */
export function lineSpan(runtime: RuntimeName): string {
  const all = RUNTIMES[runtime].lines;
  return `${all[all.length - 1]!.line}–${all[0]!.line}`;
}
