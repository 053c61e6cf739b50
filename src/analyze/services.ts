import type { Ecosystem } from './os-packages.js';
import type { ServiceName } from './types.js';

/** Direct dependency → backing service it talks to. One line per client library. */
export const SERVICE_CLIENTS: Record<Ecosystem, Record<string, ServiceName>> = {
  node: {
    pg: 'postgres',
    'pg-promise': 'postgres',
    postgres: 'postgres',
    'pg-native': 'postgres',
    mysql: 'mysql',
    mysql2: 'mysql',
    redis: 'redis',
    ioredis: 'redis',
    bull: 'redis',
    bullmq: 'redis',
    memjs: 'memcached',
    memcached: 'memcached',
    mongodb: 'mongodb',
    mongoose: 'mongodb',
    '@elastic/elasticsearch': 'elasticsearch',
    '@opensearch-project/opensearch': 'elasticsearch',
    amqplib: 'rabbitmq',
    'amqp-connection-manager': 'rabbitmq',
  },
  python: {
    psycopg2: 'postgres',
    'psycopg2-binary': 'postgres',
    psycopg: 'postgres',
    asyncpg: 'postgres',
    mysqlclient: 'mysql',
    pymysql: 'mysql',
    aiomysql: 'mysql',
    'mysql-connector-python': 'mysql',
    redis: 'redis',
    'django-redis': 'redis',
    rq: 'redis',
    'celery-redis': 'redis',
    pymemcache: 'memcached',
    'python-memcached': 'memcached',
    pylibmc: 'memcached',
    pymongo: 'mongodb',
    motor: 'mongodb',
    mongoengine: 'mongodb',
    elasticsearch: 'elasticsearch',
    'elasticsearch-dsl': 'elasticsearch',
    pika: 'rabbitmq',
    'aio-pika': 'rabbitmq',
  },
  ruby: {
    pg: 'postgres',
    mysql2: 'mysql',
    trilogy: 'mysql',
    redis: 'redis',
    sidekiq: 'redis',
    resque: 'redis',
    'redis-rails': 'redis',
    dalli: 'memcached',
    mongoid: 'mongodb',
    mongo: 'mongodb',
    elasticsearch: 'elasticsearch',
    searchkick: 'elasticsearch',
    'elasticsearch-model': 'elasticsearch',
    bunny: 'rabbitmq',
    sneakers: 'rabbitmq',
  },
  php: {
    'ext-pdo_pgsql': 'postgres',
    'ext-pgsql': 'postgres',
    'ext-pdo_mysql': 'mysql',
    'ext-mysqli': 'mysql',
    'predis/predis': 'redis',
    'ext-redis': 'redis',
    'ext-memcached': 'memcached',
    'mongodb/mongodb': 'mongodb',
    'ext-mongodb': 'mongodb',
    'elasticsearch/elasticsearch': 'elasticsearch',
    'php-amqplib/php-amqplib': 'rabbitmq',
    'ext-amqp': 'rabbitmq',
  },
  go: {
    'github.com/lib/pq': 'postgres',
    'github.com/jackc/pgx/v4': 'postgres',
    'github.com/jackc/pgx/v5': 'postgres',
    'github.com/go-sql-driver/mysql': 'mysql',
    'github.com/redis/go-redis/v9': 'redis',
    'github.com/go-redis/redis/v8': 'redis',
    'github.com/gomodule/redigo': 'redis',
    'github.com/bradfitz/gomemcache': 'memcached',
    'go.mongodb.org/mongo-driver': 'mongodb',
    'github.com/elastic/go-elasticsearch/v8': 'elasticsearch',
    'github.com/rabbitmq/amqp091-go': 'rabbitmq',
    'github.com/streadway/amqp': 'rabbitmq',
  },
};

/** Env var names an app reads to reach a service; `database` means whichever SQL database the app uses. */
export const SERVICE_ENV_NAMES: Record<string, ServiceName | 'database'> = {
  DATABASE_URL: 'database',
  DB_URL: 'database',
  REDIS_URL: 'redis',
  REDIS_TLS_URL: 'redis',
  REDISCLOUD_URL: 'redis',
  REDIS_HOST: 'redis',
  MEMCACHE_SERVERS: 'memcached',
  MEMCACHED_URL: 'memcached',
  MEMCACHIER_SERVERS: 'memcached',
  MONGODB_URI: 'mongodb',
  MONGODB_URL: 'mongodb',
  MONGO_URL: 'mongodb',
  ELASTICSEARCH_URL: 'elasticsearch',
  OPENSEARCH_URL: 'elasticsearch',
  RABBITMQ_URL: 'rabbitmq',
  AMQP_URL: 'rabbitmq',
  CLOUDAMQP_URL: 'rabbitmq',
};

export interface ServiceSpec {
  image: string;
  port: number;
  /** The env var an app is given when it does not read one of its own. */
  defaultEnv: string;
  /** Value for each env var name an app may read, wired to the compose service of the same name. */
  values: Record<string, string>;
  environment: Record<string, string>;
  healthcheck: string[];
  /** Data directory kept in a named volume. */
  dataDir?: string;
}

const PG_URL = 'postgres://app:app@postgres:5432/app';
const MYSQL_URL = 'mysql://app:app@mysql:3306/app';

/** How each backing service runs locally in docker-compose.yml. */
export const SERVICE_SPECS: Record<ServiceName, ServiceSpec> = {
  postgres: {
    image: 'postgres:16-bookworm',
    port: 5432,
    defaultEnv: 'DATABASE_URL',
    values: {
      DATABASE_URL: PG_URL,
      DB_URL: PG_URL,
      DB_CONNECTION: 'pgsql',
      DB_HOST: 'postgres',
      DB_PORT: '5432',
      DB_DATABASE: 'app',
      DB_USERNAME: 'app',
      DB_PASSWORD: 'app',
    },
    environment: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'app', POSTGRES_DB: 'app' },
    healthcheck: ['CMD-SHELL', 'pg_isready -U app -d app'],
    dataDir: '/var/lib/postgresql/data',
  },
  mysql: {
    image: 'mysql:8.4',
    port: 3306,
    defaultEnv: 'DATABASE_URL',
    values: {
      DATABASE_URL: MYSQL_URL,
      DB_URL: MYSQL_URL,
      DB_CONNECTION: 'mysql',
      DB_HOST: 'mysql',
      DB_PORT: '3306',
      DB_DATABASE: 'app',
      DB_USERNAME: 'app',
      DB_PASSWORD: 'app',
    },
    environment: { MYSQL_DATABASE: 'app', MYSQL_USER: 'app', MYSQL_PASSWORD: 'app', MYSQL_ROOT_PASSWORD: 'root' },
    healthcheck: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 -uroot -proot --silent'],
    dataDir: '/var/lib/mysql',
  },
  redis: {
    image: 'redis:7-bookworm',
    port: 6379,
    defaultEnv: 'REDIS_URL',
    values: {
      REDIS_URL: 'redis://redis:6379/0',
      REDIS_TLS_URL: 'redis://redis:6379/0',
      REDISCLOUD_URL: 'redis://redis:6379/0',
      REDIS_HOST: 'redis',
      REDIS_PORT: '6379',
    },
    environment: {},
    healthcheck: ['CMD', 'redis-cli', 'ping'],
  },
  memcached: {
    image: 'memcached:1.6-bookworm',
    port: 11211,
    defaultEnv: 'MEMCACHE_SERVERS',
    values: {
      MEMCACHE_SERVERS: 'memcached:11211',
      MEMCACHED_URL: 'memcached:11211',
      MEMCACHIER_SERVERS: 'memcached:11211',
    },
    environment: {},
    healthcheck: [
      'CMD-SHELL',
      'bash -c \'exec 3<>/dev/tcp/127.0.0.1/11211 && printf "version\\r\\n" >&3 && head -c7 <&3 | grep -q VERSION\'',
    ],
  },
  mongodb: {
    image: 'mongo:7',
    port: 27017,
    defaultEnv: 'MONGODB_URI',
    values: {
      MONGODB_URI: 'mongodb://mongodb:27017/app',
      MONGODB_URL: 'mongodb://mongodb:27017/app',
      MONGO_URL: 'mongodb://mongodb:27017/app',
    },
    environment: {},
    healthcheck: ['CMD', 'mongosh', '--quiet', '--eval', 'db.runCommand({ ping: 1 }).ok'],
    dataDir: '/data/db',
  },
  elasticsearch: {
    image: 'docker.elastic.co/elasticsearch/elasticsearch:8.13.4',
    port: 9200,
    defaultEnv: 'ELASTICSEARCH_URL',
    values: { ELASTICSEARCH_URL: 'http://elasticsearch:9200', OPENSEARCH_URL: 'http://elasticsearch:9200' },
    environment: {
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      ES_JAVA_OPTS: '-Xms512m -Xmx512m',
    },
    healthcheck: ['CMD-SHELL', 'curl -fs http://127.0.0.1:9200/_cluster/health || exit 1'],
    dataDir: '/usr/share/elasticsearch/data',
  },
  rabbitmq: {
    image: 'rabbitmq:3.13-management',
    port: 5672,
    defaultEnv: 'RABBITMQ_URL',
    values: {
      RABBITMQ_URL: 'amqp://app:app@rabbitmq:5672/',
      AMQP_URL: 'amqp://app:app@rabbitmq:5672/',
      CLOUDAMQP_URL: 'amqp://app:app@rabbitmq:5672/',
    },
    environment: { RABBITMQ_DEFAULT_USER: 'app', RABBITMQ_DEFAULT_PASS: 'app' },
    healthcheck: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'],
  },
};

export const SERVICE_ORDER: ServiceName[] = [
  'postgres',
  'mysql',
  'redis',
  'memcached',
  'mongodb',
  'elasticsearch',
  'rabbitmq',
];
