import { officialImage } from '../runtime-images.js';
import type { Analysis } from '../types.js';
import {
  APP_USER,
  aptInstall,
  caCertLines,
  caPackages,
  createUserLines,
  envLines,
  header,
  needsShell,
  render,
  runLines,
} from './dockerfile-common.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';

/**
 * Multi-stage: compile in the Go image (or Debian's golang-go), run the static binary on distroless
 * (`static` without cgo, `base` with cgo). A Debian slim runtime is used instead when the runtime needs
 * OS packages or a process needs a shell, or with `runtime: 'debian'`. `baseImage` replaces the build image.
 */
export function goDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const cgo = analysis.build.cgo === true;
  const pkg = analysis.build.goPackage ?? '.';
  const web = analysis.processes.find((p) => p.name === 'web')?.command ?? '/app/bin/app';
  const binary = /^\/app\/bin\/([\w.-]+)$/.exec(web)?.[1] ?? 'app';
  const builder = opts.baseImage ?? (debian ? DEBIAN_BASE : officialImage('go', analysis.runtimeVersion.version));
  const slimRuntime =
    debian || analysis.osPackages.runtime.length > 0 || analysis.processes.some((p) => needsShell(p.command));
  const runtimeImage = slimRuntime
    ? DEBIAN_BASE
    : cgo
      ? 'gcr.io/distroless/base-debian12:nonroot'
      : 'gcr.io/distroless/static-debian12:nonroot';
  const vendored = analysis.build.localPackages.includes('vendor');

  const lines = [
    ...header(analysis, opts),
    '',
    `FROM ${builder} AS build`,
    ...aptInstall([
      ...(debian ? ['golang-go', 'ca-certificates', 'git'] : []),
      ...analysis.osPackages.build,
      ...caPackages(opts.caCert),
    ]),
    ...caCertLines(opts.caCert),
    'WORKDIR /src',
    ...envLines([['CGO_ENABLED', cgo ? '1' : '0']]),
    '',
    '# Modules first: this layer is rebuilt only when go.mod / go.sum change.',
    `COPY ${analysis.build.manifests.join(' ')} ./`,
    ...(vendored ? [] : ['RUN go mod download']),
    'COPY . .',
    `RUN go build -trimpath -ldflags="-s -w" -o /out/${binary} ${pkg}`,
    '',
    `FROM ${runtimeImage}`,
    ...(slimRuntime ? [...aptInstall(['ca-certificates', ...analysis.osPackages.runtime]), ...createUserLines()] : []),
    'WORKDIR /app',
    ...envLines([['PORT', String(analysis.port)]]),
  ];
  lines.push(
    `COPY --from=build /out/${binary} /app/bin/${binary}`,
    ...runLines(analysis, slimRuntime ? APP_USER : 'nonroot:nonroot'),
  );
  return render(lines);
}
