import { SlipwayError } from '../core/errors.js';
import { DockerSwarmControl } from './docker-swarm-control.js';
import type { ParsedEngine } from './docker-endpoint.js';
import { sshDialArgs, StdioBridge } from './stdio-bridge.js';
import type { SwarmControl } from './swarm-control.js';

/** Opens another node's engine: directly for a socket or tcp, through an ssh bridge for ssh:// (closed by close()). */
export async function connectEngine(
  engine: ParsedEngine,
  opts: { timeoutMs?: number; sshBin?: string } = {},
): Promise<SwarmControl> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (!engine.ssh) return new DockerSwarmControl(engine.endpoint, { timeoutMs, where: engine.url });
  const bridge = await StdioBridge.open(opts.sshBin ?? 'ssh', sshDialArgs(engine.ssh));
  const control = new DockerSwarmControl(
    { socketPath: bridge.socketPath },
    { timeoutMs, where: engine.url, onClose: () => bridge.close() },
  );
  try {
    await control.state(AbortSignal.timeout(30_000));
  } catch (err) {
    await bridge.close();
    const reason = bridge.lastError || (err instanceof Error ? err.message : String(err));
    throw new SlipwayError('DOCKER_UNAVAILABLE', `cannot reach Docker over ssh at ${engine.url}: ${reason}`, {
      hint:
        `check that \`ssh -o BatchMode=yes ${engine.url} docker version\` works from this server: key-based ` +
        'login (no prompt), a known host key, Docker installed and usable by that user',
      cause: err,
    });
  }
  return control;
}
