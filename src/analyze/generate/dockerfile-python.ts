import { officialImage } from '../runtime-images.js';
import type { Analysis } from '../types.js';
import { analysisEnv } from './dockerfile-common.js';
import { interpretedDockerfile } from './dockerfile-interpreted.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';

const VENV = '/opt/venv';
const POETRY_VERSION = '1.8.3';

/**
 * PEP 621 dependencies installed from pyproject.toml before the source arrives (the project itself is not installed).
 */
const PEP621_INSTALL =
  'python3 -c "import tomllib; ' +
  `print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project'].get('dependencies', [])))"` +
  ` > /tmp/requirements.txt \\\n && pip install -r /tmp/requirements.txt`;

/**
 * Dependencies go into a virtualenv at /opt/venv (copied whole into the runtime stage).
 * Offline case (`runtime: 'debian'` and every requirement a local path, e.g. `./vendor/mylib`): pip
 * runs with `--no-index --no-build-isolation` in a venv that sees the system site-packages, so
 * Debian's python3-setuptools and python3-wheel build the local packages and no index is contacted.
 * Official images keep pip's default build isolation (it fetches setuptools from the index).
 */
export function pythonDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const base = opts.baseImage ?? (debian ? DEBIAN_BASE : officialImage('python', analysis.runtimeVersion.version));
  const pm = analysis.packageManager;
  const offlinePip =
    debian && analysis.build.offline && analysis.build.manifests.includes('requirements.txt') && pm === 'pip';
  // Debian's own packages for requirements it satisfies (debian-python.ts): apt in both stages, seen by the venv.
  const debianPackages = debian ? (analysis.build.debianPackages ?? []) : [];
  const systemSite = offlinePip || debianPackages.length > 0;
  const setup = [`RUN python3 -m venv ${systemSite ? '--system-site-packages ' : ''}${VENV}`];
  let install: string;
  const fromDebian = debianPackages.flatMap((p) => p.packages);
  const langBuild = debian
    ? [
        'python3',
        'python3-venv',
        'python3-pip',
        ...(analysis.osPackages.build.length > 0 ? ['python3-dev'] : []),
        ...(offlinePip ? ['python3-setuptools', 'python3-wheel'] : []),
        ...fromDebian,
      ]
    : [];
  if (pm === 'poetry') {
    if (debian) langBuild.push('python3-poetry');
    else setup.push(`RUN python3 -m venv /opt/poetry && /opt/poetry/bin/pip install poetry==${POETRY_VERSION}`);
    install = `${debian ? 'poetry' : '/opt/poetry/bin/poetry'} install --only main --no-root --no-interaction`;
  } else if (pm === 'pipenv') {
    if (debian) langBuild.push('pipenv');
    else setup.push('RUN python3 -m venv /opt/pipenv && /opt/pipenv/bin/pip install pipenv');
    const pipenv = debian ? 'pipenv' : '/opt/pipenv/bin/pipenv';
    install = analysis.build.manifests.includes('Pipfile.lock') ? `${pipenv} sync` : `${pipenv} install --skip-lock`;
  } else if (analysis.build.pythonProject === 'pep621') {
    install = PEP621_INSTALL;
  } else if (analysis.build.manifests.includes('requirements.txt')) {
    install = offlinePip
      ? 'pip install --no-index --no-build-isolation -r requirements.txt'
      : 'pip install -r requirements.txt';
  } else {
    install = 'true';
  }
  // Debian's console scripts (/usr/bin/gunicorn) run under the venv's Python, like the ones pip writes.
  const scripts = debianPackages.flatMap((p) => p.scripts);
  for (const script of scripts)
    install +=
      ` \\\n && { [ -e ${VENV}/bin/${script} ] || sed '1s|^#!.*|#!${VENV}/bin/python3|' ` +
      `/usr/bin/${script} > ${VENV}/bin/${script}; } && chmod 755 ${VENV}/bin/${script}`;
  return interpretedDockerfile(analysis, opts, {
    base,
    langBuild,
    langRuntime: debian ? ['python3', ...fromDebian] : [],
    env: [
      ['VIRTUAL_ENV', VENV],
      ['PATH', `${VENV}/bin:$PATH`],
      ['PYTHONUNBUFFERED', '1'],
      ['PYTHONDONTWRITEBYTECODE', '1'],
      ['PIP_NO_CACHE_DIR', '1'],
      ['PIP_DISABLE_PIP_VERSION_CHECK', '1'],
      ...analysisEnv(analysis),
    ],
    setup,
    runtimeSetup: [],
    install,
    ...(analysis.build.command ? { build: [analysis.build.command] } : {}),
    depsPaths: [VENV],
    forceBuildStage: pm === 'poetry' || pm === 'pipenv',
  });
}
