import { filesIn } from '../env-scan.js';
import { lineOf, parseYamlManifest } from '../text.js';
import type { DetectorContext } from './detector.js';

const ADAPTERS: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  postgresql: 'postgres',
  postgis: 'postgres',
  mysql2: 'mysql',
  trilogy: 'mysql',
  sqlite3: 'sqlite',
};

export interface RailsFacts {
  /** `/up` (rails/health#show), else `/` when routes.rb has a root route, else null (TCP). */
  healthcheckPath: string | null;
  assets: boolean;
  scanned: string[];
  /** db:migrate when there are migrations and a database server (DATABASE_URL, or a host in database.yml). */
  release?: { command: string; requires: string[] };
}

/** Reads config/database.yml, cable.yml, environments/production.rb and routes.rb. */
export async function analyzeRails(ctx: DetectorContext): Promise<RailsFacts> {
  const { files, findings } = ctx;
  const facts: RailsFacts = { healthcheckPath: null, assets: false, scanned: [] };

  const dbText = await files.read('config/database.yml');
  if (dbText !== undefined) {
    const file = files.display('config/database.yml');
    const adapter = productionValue(file, dbText, 'adapter');
    const kind = adapter ? ADAPTERS[adapter] : undefined;
    const line = adapter ? lineOf(dbText, new RegExp(`^\\s*adapter:\\s*${adapter}\\b`)) : undefined;
    if (kind === 'postgres' || kind === 'mysql') findings.service(kind, file, `production adapter ${adapter}`, line);
    else if (kind === 'sqlite')
      findings.warn(`${file}: SQLite in production: data inside a container is lost on every deploy`);
    findings.envVar('DATABASE_URL', file, 'Rails merges DATABASE_URL into the production database config', {
      secret: true,
    });
    const migration = (await files.list('db/migrate')).find((n) => /^\d+_\w+\.rb$/.test(n));
    if (migration && (kind === 'postgres' || kind === 'mysql')) {
      // A literal host or url names the server; one read from ENV (or none) needs that config var set.
      const literal = ['host', 'url'].some((key) => {
        const value = productionValue(file, dbText, key);
        return value !== undefined && value !== 'erb';
      });
      const fromEnv = [...dbText.matchAll(/^\s*(?:url|host):.*ENV(?:\.fetch\(|\[)\s*['"](\w+)['"]/gm)].map(
        (m) => m[1]!,
      );
      const requires = literal ? [] : [...new Set(['DATABASE_URL', ...fromEnv])];
      const at = files.display(`db/migrate/${migration}`);
      findings.note('release', at, 'Rails migrations exist: db:migrate runs once per release');
      if (requires.length > 0)
        findings.note(
          'release',
          file,
          `only when ${requires.join(' or ')} is set (\`slipway config:set …\`); a deploy without it skips the release`,
        );
      facts.release = { command: 'bundle exec rails db:migrate', requires };
    } else if (migration)
      findings.note('release', file, 'migrations exist, but no database server is configured: no release command');
  }

  const cable = await files.read('config/cable.yml');
  if (cable !== undefined) {
    const file = files.display('config/cable.yml');
    if (productionValue(file, cable, 'adapter') === 'redis')
      findings.service('redis', file, 'Action Cable production adapter redis', lineOf(cable, /^\s*adapter:\s*redis/));
  }

  const production = await files.read('config/environments/production.rb');
  if (production !== undefined) {
    const file = files.display('config/environments/production.rb');
    const redis = lineOf(production, /^\s*config\.cache_store\s*=\s*:redis_cache_store/);
    if (redis) findings.service('redis', file, 'cache_store :redis_cache_store', redis);
    const memcache = lineOf(production, /^\s*config\.cache_store\s*=\s*:mem_cache_store/);
    if (memcache) findings.service('memcached', file, 'cache_store :mem_cache_store', memcache);
    facts.scanned.push('config/environments/production.rb');
  }

  const routes = (await files.read('config/routes.rb'))?.replace(/^\s*#.*$/gm, '');
  const health =
    routes === undefined ? undefined : /^\s*get\s+['"]([\w/-]+)['"]\s*=>\s*['"]rails\/health#show['"]/m.exec(routes);
  const root = routes === undefined ? undefined : lineOf(routes, /^\s*root\b/);
  if (routes !== undefined && health) {
    facts.healthcheckPath = `/${(health[1] as string).replace(/^\//, '')}`;
    findings.note(
      'healthcheck',
      files.display('config/routes.rb'),
      `rails/health#show at ${facts.healthcheckPath}`,
      lineOf(routes, /rails\/health#show/),
    );
  } else if (root !== undefined) {
    facts.healthcheckPath = '/';
    findings.note('healthcheck', files.display('config/routes.rb'), 'root route: HTTP check GET /', root);
  }

  facts.assets = (await files.exists('app/assets')) || (await files.exists('app/javascript'));
  if (facts.assets)
    findings.note(
      'build',
      files.display((await files.exists('app/assets')) ? 'app/assets' : 'app/javascript'),
      'assets are precompiled at build time',
    );
  facts.scanned.push('config/application.rb', ...(await filesIn(files, 'config/initializers', ['.rb'])));
  return facts;
}

/** `production.<key>` of a Rails YAML config (ERB tags neutralized, `<<: *default` merged), else `default.<key>`. */
function productionValue(file: string, text: string, key: string): string | undefined {
  const doc = parseYamlManifest(file, text.replace(/<%=?[\s\S]*?%>/g, 'erb'), {
    hint: `fix ${file}, or add a Dockerfile to build the app yourself`,
  });
  const env = (doc as Record<string, unknown> | null)?.production ?? (doc as Record<string, unknown> | null)?.default;
  if (typeof env !== 'object' || env === null) return undefined;
  const direct = (env as Record<string, unknown>)[key];
  if (typeof direct === 'string') return direct;
  // Multi-database configs: production.primary.adapter.
  const primary = (env as Record<string, unknown>).primary;
  const nested =
    typeof primary === 'object' && primary !== null ? (primary as Record<string, unknown>)[key] : undefined;
  return typeof nested === 'string' ? nested : undefined;
}
