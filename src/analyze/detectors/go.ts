import { portAndHealth } from '../code-scan.js';
import { recordEnvUsage } from '../env-scan.js';
import { OS_PACKAGES, osPackagesFor } from '../os-packages.js';
import type { AppFiles } from '../read-source.js';
import { SERVICE_CLIENTS } from '../services.js';
import { lineOf } from '../text.js';
import { readVersionFile, selectRuntimeVersion } from '../versions.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';
import { parseGoMod } from './gomod.js';

/** Source files are scanned for a pattern only: a huge (generated) one is skipped, not an error. */
const SOURCE_SCAN = { maxBytes: 4 * 1024 * 1024, skipLarger: true };

/** The `.go` files (not tests) of a directory whose package clause is `package main`. */
async function mainFiles(files: AppFiles, dir: string): Promise<string[]> {
  const names = (await files.list(dir)).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
  const found: string[] = [];
  for (const name of names) {
    const rel = dir === '' ? name : `${dir}/${name}`;
    const text = (await files.read(rel, SOURCE_SCAN)) ?? '';
    const clause = /^package\s+(\w+)/m.exec(text.replace(/\/\*[\s\S]*?\*\//g, ''));
    if (clause?.[1] === 'main') found.push(rel);
  }
  return found;
}

export const goDetector: LanguageDetector = {
  language: 'go',
  markers: ['go.mod'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const file = files.display('go.mod');
    const mod = parseGoMod((await files.read('go.mod')) ?? '', file);
    findings.note('language', file, `go.mod declares module ${mod.module}`, 1);
    findings.note('packageManager', file, 'Go modules');

    const manifestClaim = mod.toolchain
      ? { value: mod.toolchain.value, file, line: mod.toolchain.line, reason: 'toolchain directive in go.mod' }
      : mod.go
        ? { value: mod.go.value, file, line: mod.go.line, reason: 'go directive in go.mod' }
        : undefined;
    const runtimeVersion = selectRuntimeVersion('go', {
      env: ctx.env,
      manifest: manifestClaim,
      versionFile: await readVersionFile(files, 'go'),
    });

    // Main package: the module root, else the only (or the module-named) directory under cmd/.
    let goPackage: string | undefined;
    let mainSources = await mainFiles(files, '');
    if (mainSources.length > 0) goPackage = '.';
    else {
      const cmds = (await files.list('cmd')).filter((n) => n.endsWith('/')).map((n) => n.slice(0, -1));
      const withMain: string[] = [];
      for (const c of cmds) if ((await mainFiles(files, `cmd/${c}`)).length > 0) withMain.push(c);
      const base = mod.module.split('/').pop() ?? '';
      const chosen = withMain.includes(base) ? base : withMain.includes('server') ? 'server' : withMain[0];
      if (chosen) {
        goPackage = `./cmd/${chosen}`;
        mainSources = await mainFiles(files, `cmd/${chosen}`);
        if (withMain.length > 1)
          findings.warn(
            `several commands under cmd/ (${withMain.join(', ')}); ` +
              `building ./cmd/${chosen} — add a Procfile to run the others`,
          );
      }
    }
    const binary =
      goPackage === undefined
        ? 'app'
        : goPackage === '.'
          ? (mod.module.split('/').pop() ?? 'app')
          : (goPackage.split('/').pop() ?? 'app');
    const processes = [];
    if (goPackage) {
      const first = mainSources[0] ?? 'go.mod';
      findings.note(
        'process:web',
        files.display(first),
        `package main in ${goPackage} → binary ${binary}`,
        lineOf((await files.read(first, SOURCE_SCAN)) ?? '', /^package\s+main/),
      );
      processes.push({ name: 'web', command: `/app/bin/${binary}`, source: 'convention' as const });
      findings.note('build', files.display(first), `go build ${goPackage}`);
    } else {
      findings.warn(`${file}: no package main at the module root or under cmd/; nothing to run`);
    }

    const direct = mod.requires.filter((r) => !r.indirect);
    const os = osPackagesFor(
      'go',
      mod.requires.map((r) => ({ name: r.path, file, line: r.line })),
    );
    os.evidence.forEach((e) => findings.note(e.topic, e.file, e.reason, e.line));
    for (const r of direct) {
      const service = SERVICE_CLIENTS.go[r.path];
      if (service) findings.service(service, file, `requires ${r.path}`, r.line);
    }
    await recordEnvUsage(files, 'go', mainSources, findings);
    const code = await portAndHealth(ctx, 'go', mainSources, {
      port: 8080,
      reason: 'Go default port 8080; Slipway sets PORT',
    });
    const cgo = mod.requires.some((r) => (OS_PACKAGES.go[r.path]?.build?.length ?? 0) > 0);
    const vendored = await files.exists('vendor/modules.txt');
    return {
      framework: null,
      runtimeVersion,
      packageManager: 'go',
      processes,
      port: code.port,
      releaseCommand: null,
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: direct.map((r) => r.path).sort(),
      healthcheckPath: code.healthcheckPath,
      build: {
        manifests: await existing(files, ['go.mod', 'go.sum']),
        localPackages: vendored ? ['vendor'] : [],
        offline: vendored || mod.requires.length === 0,
        command: `go build -o /out/${binary} ${goPackage ?? '.'}`,
        goPackage: goPackage ?? '.',
        cgo,
      },
    };
  },
};
