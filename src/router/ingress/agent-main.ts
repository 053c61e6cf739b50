import { readFileSync } from 'node:fs';
import { HaproxyRouter } from '../haproxy-router.js';
import { IngressAgent } from './ingress-agent.js';

/**
 * The entry point of Slipway's ingress image (bundled into one file with its imports): HAProxy on this
 * node's HTTP/HTTPS ports, driven by the manager through the agent's port. Settings come from the
 * service's environment, certificates from its Swarm secrets.
 */
const env = process.env;
const number = (key: string, fallback: number) => {
  const value = Number(env[key] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${key} must be a port number`);
  return value;
};
const secrets = env['SLIPWAY_INGRESS_SECRETS'] ?? '/run/secrets';
const read = (name: string) => readFileSync(`${secrets}/${name}`, 'utf8');
const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
const httpsPort = number('SLIPWAY_INGRESS_HTTPS_PORT', 443);

const router = new HaproxyRouter({
  stateDir: env['SLIPWAY_INGRESS_STATE'] ?? '/var/lib/slipway-ingress',
  httpPort: number('SLIPWAY_INGRESS_HTTP_PORT', 80),
  ...(httpsPort !== 0 ? { httpsPort } : {}),
  domain: env['SLIPWAY_DOMAIN'] ?? 'localhost',
  accessLog: false,
  log: (event) => log(JSON.stringify(event)),
});
const agent = new IngressAgent({
  router,
  tls: { key: read('slipway-ingress-key'), cert: read('slipway-ingress-cert'), ca: read('slipway-ingress-ca') },
  port: number('SLIPWAY_INGRESS_AGENT_PORT', 7443),
  log,
});

const { port } = await agent.listen();
log(`slipway ingress agent on :${port}; HAProxy starts at the manager's first sync`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping HAProxy`);
    void agent.close({ stopProxy: true }).finally(() => process.exit(0));
  });
}
