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
  healthcheckPath: string;
  assets: boolean;
  scanned: string[];
}

/** Reads config/database.yml, cable.yml, environments/production.rb and routes.rb. */
export async function analyzeRails(ctx: DetectorContext): Promise<RailsFacts> {
  const { files, findings } = ctx;
  const facts: RailsFacts = { healthcheckPath: '/', assets: false, scanned: [] };

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

  const routes = await files.read('config/routes.rb');
  const health =
    routes === undefined ? undefined : /^\s*get\s+['"]([\w/-]+)['"]\s*=>\s*['"]rails\/health#show['"]/m.exec(routes);
  if (routes !== undefined && health) {
    facts.healthcheckPath = `/${(health[1] as string).replace(/^\//, '')}`;
    findings.note(
      'healthcheck',
      files.display('config/routes.rb'),
      `rails/health#show at ${facts.healthcheckPath}`,
      lineOf(routes, /rails\/health#show/),
    );
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
