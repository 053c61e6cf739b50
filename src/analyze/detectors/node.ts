import { z } from 'zod';
import { portAndHealth } from '../code-scan.js';
import { filesIn, recordEnvUsage } from '../env-scan.js';
import { osPackagesFor } from '../os-packages.js';
import { SERVICE_CLIENTS } from '../services.js';
import { formatIssues, invalidManifest, jsonKeyLine, parseJsonManifest } from '../text.js';
import type { Framework, PackageManager, ProcessType } from '../types.js';
import { frameworkMinimum } from '../framework-minimums.js';
import { readVersionFile, selectRuntimeVersion } from '../versions.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';

const packageJsonSchema = z.looseObject({
  name: z.string().optional(),
  main: z.string().optional(),
  scripts: z.record(z.string(), z.string()).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  engines: z.looseObject({ node: z.string().optional() }).optional(),
  packageManager: z.string().optional(),
});

export type PackageJson = z.infer<typeof packageJsonSchema>;

export function parsePackageJson(file: string, text: string): PackageJson {
  const parsed = packageJsonSchema.safeParse(parseJsonManifest(file, text));
  if (!parsed.success) throw invalidManifest(file, formatIssues(parsed.error.issues));
  return parsed.data;
}

/** Lockfile → package manager, in the order they are checked. */
const LOCKFILES: Array<[string, Exclude<PackageManager, 'pip' | 'poetry' | 'pipenv' | 'bundler' | 'composer' | 'go'>]> =
  [
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
    ['package-lock.json', 'npm'],
    ['npm-shrinkwrap.json', 'npm'],
  ];

/** Framework by dependency, most specific first (NestJS runs on Express; Next.js may sit beside Express). */
const FRAMEWORKS: Array<[string, Framework]> = [
  ['next', 'next'],
  ['@nestjs/core', 'nest'],
  ['fastify', 'fastify'],
  ['koa', 'koa'],
  ['@hapi/hapi', 'hapi'],
  ['hapi', 'hapi'],
  ['express', 'express'],
];

const CONVENTIONAL_ENTRIES = ['server.js', 'app.js', 'index.js', 'server.mjs', 'index.mjs'];

export const nodeDetector: LanguageDetector = {
  language: 'node',
  markers: ['package.json'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const file = files.display('package.json');
    const text = (await files.read('package.json')) ?? '';
    const pkg = parsePackageJson(file, text);
    findings.note('language', file, 'package.json present');
    const deps = pkg.dependencies ?? {};
    const scripts = pkg.scripts ?? {};

    // Package manager: `packageManager` field > lockfile in the app dir > lockfile above it (monorepo) > npm.
    let packageManager: PackageManager = 'npm';
    let packageManagerVersion: string | undefined;
    let outsideLockfile: string | undefined;
    const lockfiles: string[] = [];
    for (const [name] of LOCKFILES) {
      if (await files.isFile(name)) lockfiles.push(name);
    }
    const lockPm = lockfiles.length > 0 ? LOCKFILES.find(([n]) => n === lockfiles[0])?.[1] : undefined;
    const fieldMatch = pkg.packageManager ? /^(npm|yarn|pnpm|bun)@([^+\s]+)/.exec(pkg.packageManager) : null;
    if (pkg.packageManager && !fieldMatch)
      findings.warn(`${file}: unknown packageManager ${JSON.stringify(pkg.packageManager)}; ignored`);
    if (fieldMatch) {
      packageManager = fieldMatch[1] as PackageManager;
      packageManagerVersion = fieldMatch[2];
      findings.note(
        'packageManager',
        file,
        `"packageManager": "${pkg.packageManager}"`,
        jsonKeyLine(text, 'packageManager'),
      );
      if (lockPm && lockPm !== packageManager)
        findings.warn(
          `${file} asks for ${packageManager} but ${files.display(lockfiles[0] ?? '')} belongs to ${lockPm}`,
        );
    } else if (lockPm) {
      packageManager = lockPm;
      findings.note('packageManager', files.display(lockfiles[0] ?? ''), `${lockfiles[0]} is ${lockPm}'s lockfile`);
    } else {
      for (const [name, pm] of LOCKFILES) {
        const up = await files.findUpFile(name);
        if (up && !up.inApp) {
          packageManager = pm;
          outsideLockfile = up.file;
          findings.note('packageManager', up.file, `workspace lockfile ${name} above the app directory`);
          findings.warn(
            `${up.file} is outside ${files.dir || '.'}: the image is built from the ` +
              'app directory alone and installs without a lockfile',
          );
          break;
        }
      }
      if (!outsideLockfile) findings.note('packageManager', file, 'no lockfile; npm is the default');
    }
    if (lockfiles.length > 1)
      findings.warn(`several lockfiles (${lockfiles.join(', ')}); keep only the one for ${packageManager}`);

    // Framework.
    let framework: Framework | null = null;
    for (const [dep, fw] of FRAMEWORKS) {
      if (Object.hasOwn(deps, dep)) {
        framework = fw;
        findings.note('framework', file, `depends on ${dep}`, jsonKeyLine(text, dep));
        break;
      }
    }

    const engines = pkg.engines?.node;
    const next = deps['next'];
    const runtimeVersion = selectRuntimeVersion('node', {
      env: ctx.env,
      manifest: engines
        ? { value: engines, file, line: jsonKeyLine(text, 'node'), reason: 'engines.node in package.json' }
        : undefined,
      versionFile: await readVersionFile(files, 'node'),
      minimum: next ? frameworkMinimum('next', next, { file, line: jsonKeyLine(text, 'next') }) : undefined,
    });

    const run = (script: string) =>
      packageManager === 'npm'
        ? `npm run ${script}`
        : packageManager === 'bun'
          ? `bun run ${script}`
          : `${packageManager} run ${script}`;
    let buildCommand: string | undefined;
    if (scripts['heroku-postbuild'] !== undefined) {
      // Heroku runs heroku-postbuild instead of build when a package.json has it.
      buildCommand = run('heroku-postbuild');
      findings.note(
        'build',
        file,
        `"heroku-postbuild" script: ${scripts['heroku-postbuild']}`,
        jsonKeyLine(text, 'heroku-postbuild'),
      );
    } else if (scripts.build !== undefined) {
      buildCommand = run('build');
      findings.note('build', file, `"build" script: ${scripts.build}`, jsonKeyLine(text, 'build'));
    } else if (framework === 'next') buildCommand = 'next build';
    else if (framework === 'nest') buildCommand = 'nest build';

    // Start: framework default > start script > main > conventional entry file.
    const web = await defaultWeb(ctx, pkg, text, framework, packageManager);
    const processes: ProcessType[] = web ? [web] : [];
    if (!web && !ctx.procfile?.some((e) => e.type === 'web')) {
      findings.warn(
        `${file}: no start script, "main" or server.js; add "scripts.start" or a Procfile with a web entry`,
      );
    }

    const depRefs = Object.keys(deps)
      .sort()
      .map((name) => ({ name, file, line: jsonKeyLine(text, name) }));
    const os = osPackagesFor('node', depRefs);
    os.evidence.forEach((e) => findings.note(e.topic, e.file, e.reason, e.line));
    for (const dep of depRefs) {
      const service = SERVICE_CLIENTS.node[dep.name];
      if (service) findings.service(service, file, `depends on ${dep.name}`, dep.line);
    }
    findings.envVar('NODE_ENV', file, 'Node.js production mode', { value: 'production' });
    const procfileFiles = (ctx.procfile ?? []).map((e) => /^(?:node|bun)\s+(\S+)/.exec(e.command)?.[1] ?? '');
    const startScript = /^node\s+(\S+)/.exec(scripts.start?.trim() ?? '')?.[1];
    const entryFiles = [
      ...procfileFiles,
      web?.command.split(/\s+/)[1] ?? '',
      ...(startScript ? [startScript] : []),
      ...(pkg.main ? [pkg.main] : []),
      ...CONVENTIONAL_ENTRIES,
      'src/main.ts',
      'src/index.ts',
      'src/app.ts',
      'src/server.ts',
      'src/main.js',
      'src/index.js',
    ].filter((f) => f && !f.startsWith('$'));
    await recordEnvUsage(
      files,
      'node',
      [...new Set(entryFiles), ...(await filesIn(files, 'config', ['.js', '.ts', '.mjs', '.cjs']))],
      findings,
    );
    const fallback = { port: 3000, reason: `${framework ?? 'node'} default port 3000; Slipway sets PORT` };
    const code = await portAndHealth(ctx, 'node', entryFiles, fallback);
    const healthcheckPath = framework === 'next' ? await nextRoot(ctx) : code.healthcheckPath;

    const localPackages = Object.values(deps)
      .filter((spec) => spec.startsWith('file:'))
      .map((spec) => spec.slice(5).replace(/^\.\//, ''));
    return {
      framework,
      runtimeVersion,
      packageManager,
      processes,
      port: code.port,
      releaseCommand: null,
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: Object.keys(deps).sort(),
      healthcheckPath,
      build: {
        manifests: await existing(files, [
          'package.json',
          ...lockfiles.slice(0, 1),
          '.npmrc',
          '.yarnrc.yml',
          'bunfig.toml',
        ]),
        localPackages,
        offline: Object.keys(deps).length === localPackages.length,
        ...(buildCommand ? { command: buildCommand } : {}),
        ...(packageManagerVersion ? { packageManagerVersion } : {}),
        ...(outsideLockfile ? { outsideLockfile } : {}),
      },
    };
  },
};

/** A Next.js app with a root page answers `/`. */
async function nextRoot(ctx: DetectorContext): Promise<string | null> {
  for (const dir of ['pages', 'src/pages', 'app', 'src/app']) {
    const page = (await ctx.files.list(dir)).find((n) => /^(index|page)\.(jsx?|tsx?|mdx)$/.test(n));
    if (page) {
      ctx.findings.note('healthcheck', ctx.files.display(`${dir}/${page}`), 'root page: HTTP check GET /');
      return '/';
    }
  }
  return null;
}

async function defaultWeb(
  ctx: DetectorContext,
  pkg: PackageJson,
  text: string,
  framework: Framework | null,
  pm: PackageManager,
): Promise<ProcessType | undefined> {
  const { files, findings } = ctx;
  const file = files.display('package.json');
  const note = (reason: string, line?: number) => findings.note('process:web', file, reason, line);
  if (framework === 'next') {
    note('Next.js default: next start (reads PORT)');
    return { name: 'web', command: 'next start', source: 'framework' };
  }
  if (framework === 'nest') {
    note('NestJS default: node dist/main.js after nest build');
    return { name: 'web', command: 'node dist/main.js', source: 'framework' };
  }
  const start = pkg.scripts?.start;
  if (start !== undefined) {
    note(`"start" script: ${start}`, jsonKeyLine(text, 'start'));
    const direct = /^node\s+[\w./-]+$/.test(start.trim());
    return {
      name: 'web',
      command: direct ? start.trim() : pm === 'bun' ? 'bun run start' : `${pm} start`,
      source: 'script',
    };
  }
  if (pkg.main) {
    note(`"main": ${pkg.main}`, jsonKeyLine(text, 'main'));
    return { name: 'web', command: `${pm === 'bun' ? 'bun' : 'node'} ${pkg.main}`, source: 'main' };
  }
  for (const entry of pm === 'bun' ? ['index.ts', ...CONVENTIONAL_ENTRIES] : CONVENTIONAL_ENTRIES) {
    if (await files.exists(entry)) {
      findings.note('process:web', files.display(entry), 'conventional entry file');
      return { name: 'web', command: `${pm === 'bun' ? 'bun' : 'node'} ${entry}`, source: 'convention' };
    }
  }
  return undefined;
}
