import type { Analysis } from '../types.js';
import { APP_USER, aptInstall, createUserLines, envLines, header, render, runLines } from './dockerfile-common.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';

/** Static files served by busybox httpd (the busybox image, or Debian's busybox package). */
export function staticDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const base = opts.baseImage ?? (debian ? DEBIAN_BASE : 'busybox:1.36');
  return render([
    ...header(analysis, opts),
    '',
    `FROM ${base}`,
    ...(debian ? [...aptInstall(['busybox']), ...createUserLines()] : [`RUN adduser -D -H -h /app ${APP_USER}`]),
    'WORKDIR /app',
    ...envLines([['PORT', String(analysis.port)]]),
    `COPY --chown=${APP_USER}:${APP_USER} . .`,
    ...runLines(analysis, APP_USER),
  ]);
}
