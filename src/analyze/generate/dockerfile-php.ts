import { PHP_DEBIAN_EXTENSIONS } from '../os-packages.js';
import { officialImage } from '../runtime-images.js';
import type { Analysis, PhpServer } from '../types.js';
import {
  APP_USER,
  analysisEnv,
  aptInstall,
  caCertLines,
  caPackages,
  createUserLines,
  envLines,
  header,
  render,
  runLines,
} from './dockerfile-common.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';
import { phpScriptFile } from './php-server-scripts.js';

/** Compiled into the official php image already. */
const BUILTIN = new Set([
  'ctype',
  'curl',
  'dom',
  'fileinfo',
  'filter',
  'hash',
  'iconv',
  'json',
  'libxml',
  'mbstring',
  'mysqlnd',
  'openssl',
  'pcre',
  'pdo',
  'pdo_sqlite',
  'phar',
  'posix',
  'readline',
  'reflection',
  'session',
  'simplexml',
  'sodium',
  'spl',
  'sqlite3',
  'standard',
  'tokenizer',
  'xml',
  'xmlreader',
  'xmlwriter',
  'zlib',
]);
/** Installed with pecl on the official image. */
const PECL = new Set(['redis', 'imagick', 'mongodb', 'amqp', 'memcached', 'apcu']);

/** Debian packages of a server setup: Apache + mod_php, or nginx + php-fpm. */
const DEBIAN_SERVER: Record<PhpServer['kind'], string[]> = {
  apache: ['apache2', 'libapache2-mod-php'],
  nginx: ['nginx', 'php-fpm'],
};

/** Installs a server's start script under the Heroku command's name (see php-server-scripts.ts). */
function serverLines(server: PhpServer): string[] {
  const bin = `/usr/local/bin/${server.command}`;
  const setup = [`chmod 755 ${bin}`];
  if (server.kind === 'apache') setup.push('a2enmod rewrite >/dev/null');
  return [
    `# ${server.command} DOCROOT: ${server.kind === 'apache' ? 'Apache httpd + mod_php' : 'nginx + php-fpm'} on $PORT.`,
    `COPY ${phpScriptFile(server)} ${bin}`,
    `RUN ${setup.join(' \\\n && ')}`,
  ];
}

/** Single stage: extensions are compiled and their -dev packages purged in the same layer. */
export function phpDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const server = analysis.build.phpServer;
  const variant = server?.kind === 'apache' ? 'apache' : server?.kind === 'nginx' ? 'fpm' : 'cli';
  const base =
    opts.baseImage ?? (debian ? DEBIAN_BASE : officialImage('php', analysis.runtimeVersion.version, variant));
  const extensions = analysis.build.phpExtensions ?? [];
  const laravel = analysis.framework === 'laravel' || analysis.framework === 'lumen';
  const composer = analysis.build.manifests.includes('composer.json');
  // OS packages right after FROM (see dockerfile-interpreted.ts), WORKDIR and ENV after them.
  const lines = [...header(analysis, opts), '', `FROM ${base}`];

  if (debian) {
    const phpPackages = [
      'php-cli',
      ...(analysis.framework ? ['php-mbstring', 'php-xml', 'php-curl'] : []),
      ...(server ? DEBIAN_SERVER[server.kind] : []),
      ...extensions.flatMap((e) => PHP_DEBIAN_EXTENSIONS[e] ?? []),
    ];
    lines.push(
      ...aptInstall([
        ...phpPackages,
        ...(composer ? ['composer', 'unzip'] : []),
        ...analysis.osPackages.runtime,
        ...caPackages(opts.caCert),
      ]),
    );
  } else {
    const compiled = extensions.filter((e) => !BUILTIN.has(e) && !PECL.has(e));
    const pecl = extensions.filter((e) => PECL.has(e));
    const build = [
      ...analysis.osPackages.build.filter((p) => p !== 'build-essential'),
      ...(pecl.length > 0 ? ['$PHPIZE_DEPS'] : []),
    ];
    const runtime = [
      ...analysis.osPackages.runtime,
      ...(composer ? ['unzip'] : []),
      ...(server?.kind === 'nginx' ? ['nginx'] : []),
      ...caPackages(opts.caCert),
    ];
    const steps = [
      'RUN apt-get update \\',
      ` && apt-get install -y --no-install-recommends ${[...new Set([...runtime, ...build])].sort().join(' ')} \\`,
      ...(compiled.includes('gd') ? [' && docker-php-ext-configure gd --with-freetype --with-jpeg \\'] : []),
      ...(compiled.length > 0 ? [` && docker-php-ext-install -j"$(nproc)" ${compiled.join(' ')} \\`] : []),
      ...(pecl.length > 0 ? [` && pecl install ${pecl.join(' ')} && docker-php-ext-enable ${pecl.join(' ')} \\`] : []),
      ...(build.length > 0 ? [` && apt-get purge -y --auto-remove ${build.join(' ')} \\`] : []),
      ' && rm -rf /var/lib/apt/lists/*',
    ];
    if (runtime.length + build.length > 0) lines.push(...steps);
    if (composer) lines.push('COPY --from=composer:2 /usr/bin/composer /usr/local/bin/composer');
  }
  lines.push(...caCertLines(opts.caCert));
  if (server) lines.push(...serverLines(server));
  lines.push('WORKDIR /app');
  lines.push(
    ...envLines([
      ...analysisEnv(analysis),
      ...(composer
        ? ([
            ['COMPOSER_ALLOW_SUPERUSER', '1'],
            ['COMPOSER_NO_INTERACTION', '1'],
          ] as Array<[string, string]>)
        : []),
      ['PORT', String(analysis.port)],
    ]),
  );

  if (composer) {
    lines.push(
      '',
      '# Dependencies first: this layer is rebuilt only when the manifests change.',
      `COPY ${analysis.build.manifests.join(' ')} ./`,
      ...analysis.build.localPackages.map((p) => `COPY ${p} ./${p}`),
      'RUN composer install --no-dev --no-scripts --no-autoloader --prefer-dist',
    );
  }
  lines.push('', ...createUserLines(), `COPY --chown=${APP_USER}:${APP_USER} . .`);
  const after = [
    ...(composer ? ['composer dump-autoload --optimize --no-dev'] : []),
    ...(laravel ? [`chown -R ${APP_USER}:${APP_USER} storage bootstrap/cache`] : []),
    ...(server?.invokedAs
      ? [`mkdir -p ${dirnameOf(server.invokedAs)}`, `ln -sf /usr/local/bin/${server.command} ${server.invokedAs}`]
      : []),
  ];
  if (after.length > 0) lines.push(`RUN ${after.join(' \\\n && ')}`);
  lines.push(...runLines(analysis, APP_USER));
  return render(lines);
}

function dirnameOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
}
