import { stat } from 'node:fs/promises';
import { SlipwayError } from '../core/errors.js';
import type { DetectedApp, LanguageDetector } from './detectors/detector.js';
import { goDetector } from './detectors/go.js';
import { nodeDetector } from './detectors/node.js';
import { phpDetector } from './detectors/php.js';
import { pythonDetector } from './detectors/python.js';
import { rubyDetector } from './detectors/ruby.js';
import { staticDetector } from './detectors/static.js';
import { Findings } from './findings.js';
import { commentedProcfileEntries, parseProcfile, type ProcfileEntry } from '../config/procfile.js';
import { AppFiles, directoryTree, safeRelative, type SourceTree } from './read-source.js';
import type { Analysis, ProcessType } from './types.js';
import { runtimeWarnings } from './runtime-warnings.js';

export interface AnalyzeOptions {
  /** App directory relative to the root (a monorepo package such as `apps/api`); default the root. */
  path?: string;
  /** Environment for version overrides (SLIPWAY_NODE_VERSION, …); default none. Never the host's tools. */
  env?: Record<string, string | undefined>;
  /**
   * The runtime the image will be built with, for its warnings (`debian`: Debian's packaged versions);
   * unset (`slipway analyze`): warnings for both, the Debian ones marked "with --runtime debian".
   */
  runtime?: 'official' | 'debian';
  /** A custom base image: Slipway cannot check its runtime version, so no version warnings. */
  baseImage?: string;
}

/** Language strategies in priority order: a Rails app with a package.json is a Ruby app. */
export const DETECTORS: LanguageDetector[] = [
  goDetector,
  rubyDetector,
  pythonDetector,
  phpDetector,
  nodeDetector,
  staticDetector,
];

const HINT =
  'add a Dockerfile, or a manifest Slipway understands (package.json, requirements.txt, ' +
  'pyproject.toml, Pipfile, Gemfile, composer.json, go.mod, index.html)';

/** Analyzes `root`/`path` on disk. */
export async function analyzeSource(root: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new SlipwayError('INVALID_INPUT', `source directory ${root} does not exist or is not a directory`, {
      hint: 'pass the directory that holds the app',
    });
  }
  return analyzeTree(directoryTree(root), options);
}

/** Analyzes an app inside any SourceTree (tests use an in-memory tree). */
export async function analyzeTree(tree: SourceTree, options: AnalyzeOptions = {}): Promise<Analysis> {
  const dir = safeRelative(options.path ?? '.');
  const files = new AppFiles(tree, dir);
  const shown = dir === '' ? '.' : dir;
  const entries = await files.list();
  if (entries.length === 0) {
    const exists = dir === '' || (await tree.exists(dir));
    throw new SlipwayError('INVALID_INPUT', exists ? `${shown} is empty` : `${shown} does not exist`, {
      hint: exists ? HINT : 'check the path; it is relative to the source root',
      details: { path: shown },
    });
  }

  const findings = new Findings();
  let procfile: ProcfileEntry[] | undefined;
  const procfileText = await files.read('Procfile');
  if (procfileText !== undefined) procfile = parseProcfile(procfileText, files.display('Procfile'));
  for (const entry of procfileText === undefined ? [] : commentedProcfileEntries(procfileText)) {
    if (entry.type !== 'release' && entry.type !== 'web') continue;
    findings.note(
      entry.type === 'release' ? 'release' : `process:${entry.type}`,
      files.display('Procfile'),
      `"${entry.type}: ${entry.command}" is commented out: not a process, never run`,
      entry.line,
    );
  }

  const matched: Array<{ detector: LanguageDetector; marker: string }> = [];
  for (const detector of DETECTORS) {
    for (const marker of detector.markers) {
      if (await files.exists(marker)) {
        matched.push({ detector, marker });
        break;
      }
    }
  }
  const chosen = matched[0];
  if (!chosen) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `cannot tell the language of ${shown} (found ` +
        `${entries.slice(0, 8).join(', ')}${entries.length > 8 ? ', …' : ''})`,
      {
        hint: procfile ? `${HINT}; a Procfile says how to run the app, not how to build it` : HINT,
        details: { path: shown, entries: entries.slice(0, 50) },
      },
    );
  }
  for (const other of matched.slice(1)) {
    if (other.detector.language === 'static') continue;
    findings.warn(
      `${files.display(other.marker)} found too; ` +
        `treated as a ${chosen.detector.language} app ` +
        `(${other.detector.language} tooling is not installed in the image)`,
    );
  }
  if (await files.exists('Dockerfile'))
    findings.warn(`${files.display('Dockerfile')} exists; a build uses it instead of a generated one`);

  const detected = await chosen.detector.analyze({
    files,
    env: options.env ?? {},
    findings,
    ...(procfile ? { procfile } : {}),
  });
  const { processes, releaseCommand, releaseRequires } = mergeProcfile(
    detected,
    procfile,
    files.display('Procfile'),
    findings,
  );
  if (!processes.some((p) => p.name === 'web'))
    findings.warn('no web process: the app receives no HTTP traffic; add a Procfile with a "web: <command>" line');
  const port = fixedPort(processes, files.display('Procfile'), findings) ?? detected.port;
  if (detected.healthcheckPath === null && !findings.evidence.some((e) => e.topic === 'healthcheck'))
    findings.note(
      'healthcheck',
      files.display(detected.build.manifests[0] ?? entries[0] ?? '.'),
      'no route known to answer 2xx/3xx: TCP check (HAProxy takes any HTTP answer as up)',
    );
  const version = detected.runtimeVersion;
  for (const warning of runtimeWarnings(version, options.runtime, options.baseImage)) findings.warn(warning);
  if (options.runtime !== 'debian' && !options.baseImage)
    findings.runtimeWarnings.official.forEach((w) => findings.warn(w));
  if (options.runtime !== 'official')
    for (const w of findings.runtimeWarnings.debian)
      findings.warn(options.runtime === 'debian' ? w : `with --runtime debian: ${w}`);

  const env = findings.env();
  return {
    path: shown,
    language: chosen.detector.language,
    framework: detected.framework,
    runtimeVersion: detected.runtimeVersion,
    packageManager: detected.packageManager,
    processes,
    port,
    releaseCommand,
    releaseRequires,
    services: findings.services(),
    osPackages: detected.osPackages,
    env,
    dependencies: detected.dependencies,
    healthcheckPath: detected.healthcheckPath,
    build: detected.build,
    evidence: findings.evidence,
    warnings: findings.warnings,
  };
}

/** Procfile entries win over detected defaults; `release` becomes the release command; web comes first. */
function mergeProcfile(
  detected: DetectedApp,
  procfile: ProcfileEntry[] | undefined,
  file: string,
  findings: Findings,
): { processes: ProcessType[]; releaseCommand: string | null; releaseRequires: string[] } {
  const requires = detected.releaseCommand ? (detected.releaseRequires ?? []) : [];
  if (!procfile) {
    return {
      processes: webFirst(detected.processes),
      releaseCommand: detected.releaseCommand,
      releaseRequires: requires,
    };
  }
  const processes: ProcessType[] = [];
  let release = { releaseCommand: detected.releaseCommand, releaseRequires: requires };
  for (const entry of procfile) {
    if (entry.type === 'release') {
      release = { releaseCommand: entry.command, releaseRequires: [] };
      findings.forget('release');
      findings.note('release', file, `release: ${entry.command}`, entry.line);
      continue;
    }
    processes.push({ name: entry.type, command: entry.command, source: 'procfile' });
    findings.forget(`process:${entry.type}`);
    findings.note(`process:${entry.type}`, file, `${entry.type}: ${entry.command}`, entry.line);
  }
  const defaultWeb = detected.processes.find((p) => p.name === 'web');
  if (!processes.some((p) => p.name === 'web') && defaultWeb) {
    processes.push(defaultWeb);
    findings.warn(`${file} has no web entry; using the default "${defaultWeb.command}"`);
  }
  return { processes: webFirst(processes), ...release };
}

/** A web command that names its own port instead of $PORT (`gunicorn app:app -b 0.0.0.0:8000`): that port is used. */
function fixedPort(processes: ProcessType[], file: string, findings: Findings): number | undefined {
  const web = processes.find((p) => p.name === 'web');
  if (!web || /\$\{?PORT\b/.test(web.command)) return undefined;
  const m = /(?:--port[= ]|-p |--bind[= ]\S*:|-b \S*:|-S \S*:|\s\S*0\.0\.0\.0:)(\d{2,5})\b/.exec(web.command);
  if (!m) return undefined;
  findings.forget('port');
  findings.note('port', file, `the web command listens on ${m[1]} (it does not use $PORT)`);
  findings.warn(`the web command "${web.command}" listens on ${m[1]}; use $PORT so the platform can choose`);
  return Number(m[1]);
}

function webFirst(processes: ProcessType[]): ProcessType[] {
  return [...processes.filter((p) => p.name === 'web'), ...processes.filter((p) => p.name !== 'web')];
}
