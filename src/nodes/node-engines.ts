import { SlipwayError } from '../core/errors.js';
import { DockerHttpClient, type DockerEndpoint, type DockerTls } from '../engine/docker-http.js';
import { pingRequest } from '../engine/docker-requests.js';
import { dockerEndpointFrom } from './docker-endpoint.js';
import { sshDialArgs, StdioBridge } from './stdio-bridge.js';

/**
 * The one place that turns a node's `slipway.engine` label (the endpoint `nodes:add --engine` joined it
 * through) into a Docker endpoint this process can speak to: a unix socket or tcp directly, ssh:// through
 * a stdio bridge (`ssh … docker system dial-stdio` behind a private local socket). The URL is re-checked
 * here (a label is data anyone with the manager's Docker can change) and never reaches a shell.
 */

export interface NodeDocker {
  /** The normalised endpoint URL (for messages). */
  url: string;
  endpoint: DockerEndpoint;
  /** The engine's processes are this host's (a unix socket): only then may Slipway signal them itself. */
  processesHere: boolean;
  /** Releases what reaching it holds (the ssh bridge and its programs); nothing for a socket or tcp. */
  close(): Promise<void>;
}

export interface OpenNodeDockerOptions {
  /** The ssh program (default `ssh`: tests pass a stand-in). */
  sshBin?: string;
  /** Certificates of a TLS tcp endpoint. */
  tls?: DockerTls;
  /** How long the first answer may take (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Opens the node's Docker Engine and checks it answers; the caller closes it when done. */
export async function openNodeDocker(engineUrl: string, opts: OpenNodeDockerOptions = {}): Promise<NodeDocker> {
  const parsed = dockerEndpointFrom(engineUrl, opts.tls);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!parsed.ssh) {
    const endpoint = parsed.endpoint;
    await ping(endpoint, parsed.url, timeoutMs, () => '');
    return { url: parsed.url, endpoint, processesHere: 'socketPath' in endpoint, close: async () => undefined };
  }
  const bridge = await StdioBridge.open(opts.sshBin ?? 'ssh', sshDialArgs(parsed.ssh));
  const endpoint = { socketPath: bridge.socketPath };
  try {
    await ping(endpoint, parsed.url, timeoutMs, () => bridge.lastError);
  } catch (err) {
    await bridge.close();
    throw err;
  }
  return { url: parsed.url, endpoint, processesHere: false, close: () => bridge.close() };
}

async function ping(endpoint: DockerEndpoint, url: string, timeoutMs: number, reason: () => string): Promise<void> {
  try {
    await new DockerHttpClient({ endpoint, timeoutMs }).json(pingRequest(), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const why = reason() || (err instanceof Error ? err.message : String(err));
    throw new SlipwayError('DOCKER_UNAVAILABLE', `cannot reach the node's Docker at ${url}: ${why}`, {
      hint: url.startsWith('ssh://')
        ? `check that \`ssh -o BatchMode=yes ${url} docker version\` works from this server`
        : `check that the Docker Engine at ${url} is running and reachable from this server`,
      cause: err,
    });
  }
}
