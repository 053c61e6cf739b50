import { filesIn, recordEnvUsage } from '../env-scan.js';
import { osPackagesFor } from '../os-packages.js';
import { SERVICE_CLIENTS } from '../services.js';
import { lineOf } from '../text.js';
import type { Framework, PackageManager } from '../types.js';
import { frameworkMinimum } from '../framework-minimums.js';
import { readVersionFile, selectRuntimeVersion, type VersionClaim } from '../versions.js';
import { debianPythonPackages } from './debian-python.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';
import { pythonProcesses } from './python-web.js';
import {
  normalizePythonName,
  parseRequirements,
  parseTomlManifest,
  pep508Name,
  pep508Spec,
  pipfileSchema,
  pyprojectSchema,
  validateToml,
  type PythonRequirement,
} from './python-manifests.js';

interface PythonDeps {
  packageManager: PackageManager;
  requirements: PythonRequirement[];
  manifests: string[];
  pythonClaim?: VersionClaim;
  project?: 'pep621' | 'poetry';
}

async function readDependencies(ctx: DetectorContext): Promise<PythonDeps> {
  const { files, findings } = ctx;
  let pyproject: ReturnType<typeof pyprojectSchema.parse> | undefined;
  const pyprojectText = await files.read('pyproject.toml');
  const pyFile = files.display('pyproject.toml');
  if (pyprojectText !== undefined)
    pyproject = validateToml(pyFile, pyprojectSchema, parseTomlManifest(pyFile, pyprojectText));
  let pythonClaim: VersionClaim | undefined;
  const requiresPython = pyproject?.project?.['requires-python'];
  const poetryPython = pyproject?.tool?.poetry?.dependencies?.python;
  if (requiresPython)
    pythonClaim = {
      value: requiresPython,
      file: pyFile,
      line: lineOf(pyprojectText ?? '', /^\s*requires-python\s*=/),
      reason: 'requires-python in pyproject.toml',
    };
  else if (typeof poetryPython === 'string')
    pythonClaim = {
      value: poetryPython,
      file: pyFile,
      line: lineOf(pyprojectText ?? '', /^\s*python\s*=/),
      reason: 'tool.poetry.dependencies.python in pyproject.toml',
    };

  if (await files.isFile('requirements.txt')) {
    const { requirements, files: included } = await parseRequirements(files, 'requirements.txt');
    findings.note('packageManager', files.display('requirements.txt'), 'requirements.txt: pip');
    return { packageManager: 'pip', requirements, manifests: included, ...(pythonClaim ? { pythonClaim } : {}) };
  }
  const pipfileText = await files.read('Pipfile');
  if (pipfileText !== undefined) {
    const file = files.display('Pipfile');
    const pipfile = validateToml(file, pipfileSchema, parseTomlManifest(file, pipfileText));
    findings.note('packageManager', file, 'Pipfile: Pipenv');
    const requirements = Object.entries(pipfile.packages ?? {}).map(([name, value]) => ({
      name: normalizePythonName(name),
      ...(typeof value === 'string' && value !== '*' ? { spec: value } : {}),
      file,
      line: lineOf(pipfileText, new RegExp(`^\\s*"?${name}"?\\s*=`)),
    }));
    const pv = pipfile.requires?.python_full_version ?? pipfile.requires?.python_version;
    if (pv)
      pythonClaim = {
        value: pv,
        file,
        line: lineOf(pipfileText, /^\s*python_(full_)?version\s*=/),
        reason: '[requires] in Pipfile',
      };
    return {
      packageManager: 'pipenv',
      requirements,
      manifests: await existing(files, ['Pipfile', 'Pipfile.lock']),
      ...(pythonClaim ? { pythonClaim } : {}),
    };
  }
  if (pyproject && pyprojectText !== undefined) {
    const isPoetry = pyproject.tool?.poetry !== undefined || (await files.exists('poetry.lock'));
    const lineFor = (name: string) => lineOf(pyprojectText, new RegExp(`^\\s*"?${name}\\b`, 'i'));
    const requirements: PythonRequirement[] = [];
    for (const spec of pyproject.project?.dependencies ?? []) {
      const name = pep508Name(spec);
      const version = pep508Spec(spec);
      if (name)
        requirements.push({
          name,
          ...(version ? { spec: version } : {}),
          file: pyFile,
          line: lineOf(pyprojectText, new RegExp(`["']${name.replace(/-/g, '[-_.]')}`, 'i')),
        });
    }
    for (const [name, spec] of Object.entries(pyproject.tool?.poetry?.dependencies ?? {})) {
      if (name === 'python') continue;
      const path =
        typeof spec === 'object' && spec !== null && 'path' in spec
          ? String((spec as { path: unknown }).path)
          : undefined;
      requirements.push({
        name: normalizePythonName(name),
        ...(path ? { path } : {}),
        ...(typeof spec === 'string' && spec !== '*' ? { spec } : {}),
        file: pyFile,
        line: lineFor(name),
      });
    }
    findings.note(
      'packageManager',
      pyFile,
      isPoetry ? 'pyproject.toml with [tool.poetry] / poetry.lock: Poetry' : 'pyproject.toml [project] (PEP 621): pip',
    );
    return {
      packageManager: isPoetry ? 'poetry' : 'pip',
      requirements,
      manifests: await existing(files, ['pyproject.toml', ...(isPoetry ? ['poetry.lock'] : [])]),
      project: isPoetry ? 'poetry' : 'pep621',
      ...(pythonClaim ? { pythonClaim } : {}),
    };
  }
  findings.warn(
    `${files.display('.')}: no requirements.txt, Pipfile or pyproject.toml; no dependencies will be installed`,
  );
  return { packageManager: 'pip', requirements: [], manifests: [], ...(pythonClaim ? { pythonClaim } : {}) };
}

export const pythonDetector: LanguageDetector = {
  language: 'python',
  markers: ['requirements.txt', 'pyproject.toml', 'Pipfile', 'setup.py', 'manage.py'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const deps = await readDependencies(ctx);
    const names = new Set(deps.requirements.flatMap((r) => (r.name ? [r.name] : [])));
    const firstMarker = deps.manifests[0] ?? 'manage.py';
    findings.note('language', files.display(firstMarker), `${firstMarker} present`);
    const ref = (name: string) => deps.requirements.find((r) => r.name === name);

    let framework: Framework | null = null;
    for (const [dep, fw] of [
      ['django', 'django'],
      ['fastapi', 'fastapi'],
      ['flask', 'flask'],
    ] as const) {
      const r = ref(dep);
      if (r) {
        framework = fw;
        findings.note('framework', r.file, `depends on ${dep}`, r.line);
        break;
      }
    }
    if (!framework && (await files.exists('manage.py'))) {
      framework = 'django';
      findings.note('framework', files.display('manage.py'), 'manage.py present');
    }
    const django = ref('django');
    const runtimeVersion = selectRuntimeVersion('python', {
      env: ctx.env,
      manifest: deps.pythonClaim,
      versionFile: await readVersionFile(files, 'python'),
      minimum: django ? frameworkMinimum('django', django.spec, django) : undefined,
    });

    const app = await pythonProcesses(ctx, framework, names, deps.manifests[0] ?? 'requirements.txt');
    const refs = deps.requirements.flatMap((r) =>
      r.name ? [{ name: r.name, file: r.file, ...(r.line === undefined ? {} : { line: r.line }) }] : [],
    );
    const os = osPackagesFor('python', refs);
    os.evidence.forEach((e) => findings.note(e.topic, e.file, e.reason, e.line));
    for (const r of refs) {
      const service = SERVICE_CLIENTS.python[r.name];
      if (service) findings.service(service, r.file, `depends on ${r.name}`, r.line);
    }
    await recordEnvUsage(
      files,
      'python',
      [...new Set([...app.scanned, 'config.py', 'settings.py', ...(await filesIn(files, 'config', ['.py']))])],
      findings,
    );
    const pip = deps.packageManager === 'pip';
    const debianPackages = pip ? debianPythonPackages(deps.requirements, findings) : [];

    const localPackages = deps.requirements.flatMap((r) => (r.path ? [r.path] : []));
    return {
      framework,
      runtimeVersion,
      packageManager: deps.packageManager,
      processes: app.processes,
      port: app.port,
      releaseCommand: app.release?.command ?? null,
      releaseRequires: app.release?.requires ?? [],
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: [...names].sort(),
      healthcheckPath: app.healthcheckPath,
      build: {
        manifests: deps.manifests,
        localPackages,
        offline: deps.requirements.every((r) => r.path !== undefined),
        ...(app.buildCommand ? { command: app.buildCommand } : {}),
        ...(deps.project ? { pythonProject: deps.project } : {}),
        ...(debianPackages.length > 0 ? { debianPackages } : {}),
      },
    };
  },
};
