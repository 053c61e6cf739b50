import type { Evidence } from './types.js';

/**
 * THE table: dependency → Debian packages, split into what compiling needs (`build`, only in the
 * build stage) and what the running app needs (`runtime`). Package names are Debian bookworm's,
 * valid both on the official (Debian-based) language images and on plain Debian.
 * To support a new dependency, add one line here.
 */
export interface OsPackageRule {
  build?: string[];
  runtime?: string[];
  /** Shown as the evidence reason when the rule needs explaining. */
  note?: string;
}

export type Ecosystem = 'node' | 'python' | 'ruby' | 'php' | 'go';

const CC = ['build-essential'];
const NODE_GYP = ['python3', 'make', 'g++'];
const LIBPQ: OsPackageRule = { build: ['libpq-dev', ...CC], runtime: ['libpq5'] };
const MYSQL_CLIENT: OsPackageRule = {
  build: ['default-libmysqlclient-dev', 'pkg-config', ...CC],
  runtime: ['libmariadb3'],
};
const LIBXML: OsPackageRule = { build: ['libxml2-dev', 'libxslt1-dev', ...CC], runtime: ['libxml2', 'libxslt1.1'] };
const IMAGEMAGICK_DEV: OsPackageRule = { build: ['libmagickwand-dev', ...CC], runtime: ['libmagickwand-6.q16-6'] };
const VIPS: OsPackageRule = { runtime: ['libvips42'] };
const IMAGE_LIBS: OsPackageRule = {
  build: ['libjpeg62-turbo-dev', 'zlib1g-dev', 'libpng-dev', 'libfreetype6-dev', ...CC],
  runtime: ['libjpeg62-turbo', 'zlib1g', 'libpng16-16', 'libfreetype6'],
};
const SQLITE: OsPackageRule = { build: ['libsqlite3-dev', ...CC], runtime: ['libsqlite3-0'] };

export const OS_PACKAGES: Record<Ecosystem, Record<string, OsPackageRule>> = {
  node: {
    bcrypt: { build: NODE_GYP, note: 'native addon compiled with node-gyp when no prebuilt binary fits' },
    argon2: { build: NODE_GYP },
    'better-sqlite3': { build: NODE_GYP },
    sqlite3: { build: NODE_GYP },
    'pg-native': { build: ['libpq-dev', ...NODE_GYP], runtime: ['libpq5'] },
    canvas: {
      build: ['libcairo2-dev', 'libpango1.0-dev', 'libjpeg-dev', 'libgif-dev', 'librsvg2-dev', ...NODE_GYP],
      runtime: ['libcairo2', 'libpango-1.0-0', 'libpangocairo-1.0-0', 'libjpeg62-turbo', 'libgif7', 'librsvg2-2'],
    },
    sharp: { note: 'sharp ships prebuilt libvips binaries for linux-x64/arm64 glibc: no OS packages needed' },
    puppeteer: { runtime: ['chromium', 'fonts-liberation'], note: 'headless Chrome needs its shared libraries' },
  },
  python: {
    psycopg2: LIBPQ,
    psycopg: { runtime: ['libpq5'], note: 'psycopg 3 loads libpq at runtime' },
    mysqlclient: MYSQL_CLIENT,
    pillow: IMAGE_LIBS,
    lxml: LIBXML,
    'python-ldap': { build: ['libldap2-dev', 'libsasl2-dev', ...CC], runtime: ['libldap-2.5-0', 'libsasl2-2'] },
    uwsgi: { build: CC },
    'mysql-python': MYSQL_CLIENT,
    wand: { runtime: ['libmagickwand-6.q16-6'] },
    pyvips: VIPS,
  },
  ruby: {
    pg: LIBPQ,
    mysql2: MYSQL_CLIENT,
    trilogy: { build: CC },
    sqlite3: SQLITE,
    nokogiri: { ...LIBXML, note: 'used when no precompiled nokogiri fits the platform' },
    rmagick: IMAGEMAGICK_DEV,
    mini_magick: { runtime: ['imagemagick'], note: 'mini_magick runs the ImageMagick command-line tools' },
    'ruby-vips': VIPS,
    image_processing: { runtime: ['libvips42'], note: 'image_processing uses libvips by default' },
    bcrypt: { build: CC },
    psych: { build: ['libyaml-dev', ...CC], runtime: ['libyaml-0-2'] },
    puma: { build: CC },
    nio4r: { build: CC },
    bootsnap: { build: CC },
    msgpack: { build: CC },
    ffi: { build: ['libffi-dev', ...CC], runtime: ['libffi8'] },
    'websocket-driver': { build: CC },
    racc: { build: CC },
    json: { build: CC },
    date: { build: CC },
    bigdecimal: { build: CC },
    'io-console': { build: CC },
    debug: { build: CC },
    byebug: { build: CC },
    sassc: { build: CC },
  },
  /** PHP extensions (`ext-*` in composer.json) compiled with docker-php-ext-install on the official image. */
  php: {
    'ext-pdo_pgsql': LIBPQ,
    'ext-pgsql': LIBPQ,
    'ext-gd': {
      build: ['libpng-dev', 'libjpeg62-turbo-dev', 'libfreetype6-dev'],
      runtime: ['libpng16-16', 'libjpeg62-turbo', 'libfreetype6'],
    },
    'ext-intl': { build: ['libicu-dev'], runtime: ['libicu72'] },
    'ext-zip': { build: ['libzip-dev'], runtime: ['libzip4'] },
    'ext-imagick': IMAGEMAGICK_DEV,
    'ext-xsl': LIBXML,
  },
  go: {
    'github.com/mattn/go-sqlite3': { build: CC, note: 'cgo package: compiled with gcc, linked against glibc' },
    'github.com/h2non/bimg': { build: ['libvips-dev'], runtime: ['libvips42'] },
  },
};

/** Debian's own PHP extension packages, used instead of compiling when `runtime: 'debian'`. */
export const PHP_DEBIAN_EXTENSIONS: Record<string, string> = {
  pdo_pgsql: 'php-pgsql',
  pgsql: 'php-pgsql',
  pdo_mysql: 'php-mysql',
  mysqli: 'php-mysql',
  gd: 'php-gd',
  intl: 'php-intl',
  zip: 'php-zip',
  imagick: 'php-imagick',
  xsl: 'php-xml',
  xml: 'php-xml',
  dom: 'php-xml',
  mbstring: 'php-mbstring',
  curl: 'php-curl',
  bcmath: 'php-bcmath',
  redis: 'php-redis',
  sqlite3: 'php-sqlite3',
  pdo_sqlite: 'php-sqlite3',
  soap: 'php-soap',
  mongodb: 'php-mongodb',
  amqp: 'php-amqp',
  memcached: 'php-memcached',
  gmp: 'php-gmp',
  opcache: 'php-opcache',
};

export interface DependencyRef {
  name: string;
  file: string;
  line?: number;
}

/** Looks every dependency up in the table; returns sorted, de-duplicated lists and the evidence. */
export function osPackagesFor(
  ecosystem: Ecosystem,
  deps: DependencyRef[],
): { build: string[]; runtime: string[]; evidence: Evidence[] } {
  const build = new Set<string>();
  const runtime = new Set<string>();
  const evidence: Evidence[] = [];
  const table = OS_PACKAGES[ecosystem];
  const seen = new Set<string>();
  for (const dep of deps) {
    const rule = Object.hasOwn(table, dep.name) ? table[dep.name] : undefined;
    if (!rule || seen.has(dep.name)) continue;
    seen.add(dep.name);
    rule.build?.forEach((p) => build.add(p));
    rule.runtime?.forEach((p) => runtime.add(p));
    const lists = [
      rule.build?.length ? `build: ${rule.build.join(' ')}` : '',
      rule.runtime?.length ? `runtime: ${rule.runtime.join(' ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    evidence.push({
      topic: 'osPackages',
      file: dep.file,
      ...(dep.line === undefined ? {} : { line: dep.line }),
      reason: `${dep.name}${lists ? ` → ${lists}` : ''}${rule.note ? ` (${rule.note})` : ''}`,
    });
  }
  return { build: [...build].sort(), runtime: [...runtime].sort(), evidence };
}
