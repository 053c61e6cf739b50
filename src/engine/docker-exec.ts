import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { SlipwayError } from '../core/errors.js';
import { sleep, withTimeout } from '../core/abort.js';
import { call, dockerRequest, requestOptions } from './docker-attach.js';
import { parseDockerHost, type DockerEndpoint } from './docker-http.js';

/** A command running inside an existing container (Docker's exec API), its stdio on one hijacked connection. */
export interface ExecSession {
  execId: string;
  /** With a TTY plain bytes, else Docker's multiplexed frames. Writing feeds stdin; ending it closes stdin. */
  stream: Duplex;
  tty: boolean;
}

export interface ExecState {
  running: boolean;
  exitCode: number | null;
  /** The process id on the engine's host (0 once it ended). */
  pid: number;
}

const CALL_TIMEOUT_MS = 30_000;
const EXIT_WAIT_MS = 10_000;

function endpointOf(endpoint?: DockerEndpoint): DockerEndpoint {
  return endpoint ?? parseDockerHost(process.env['DOCKER_HOST']);
}

/** Creates an exec of `cmd` in a running container and starts it attached (nothing is missed). */
export async function startExec(
  containerId: string,
  cmd: string[],
  opts: { stdin: boolean; tty: boolean; endpoint?: DockerEndpoint },
): Promise<ExecSession> {
  const endpoint = endpointOf(opts.endpoint);
  const created = await call(
    endpoint,
    'POST',
    `/containers/${encodeURIComponent(containerId)}/exec`,
    { AttachStdin: opts.stdin, AttachStdout: true, AttachStderr: true, Tty: opts.tty, Cmd: cmd },
    withTimeout(CALL_TIMEOUT_MS),
  );
  if (created.status === 404) throw new SlipwayError('NOT_FOUND', 'the container is gone');
  if (created.status === 409)
    throw new SlipwayError('CONTAINER_FAILED', 'the container is not running', {
      hint: 'see `slipway ps`; only a running process can run a command',
    });
  if (created.status >= 300)
    throw new SlipwayError('CONTAINER_FAILED', `Docker refused the command: ${created.text.trim().slice(0, 500)}`);
  const execId = (JSON.parse(created.text) as { Id: string }).Id;
  const body = JSON.stringify({ Detach: false, Tty: opts.tty });
  const stream = await new Promise<Duplex>((resolve, reject) => {
    // Bounded until Docker switches protocols; the session itself may then be idle for as long as it likes.
    const timer = setTimeout(
      () => req.destroy(new SlipwayError('TIMEOUT', `Docker did not start the command within ${CALL_TIMEOUT_MS} ms`)),
      CALL_TIMEOUT_MS,
    );
    const settle = () => clearTimeout(timer);
    const req = dockerRequest(
      endpoint,
      requestOptions(endpoint, 'POST', `/exec/${execId}/start`, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        connection: 'Upgrade',
        upgrade: 'tcp',
      }),
    );
    req.on('upgrade', (_res, socket, head) => {
      settle();
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('response', (res) => {
      settle();
      res.resume();
      reject(new SlipwayError('CONTAINER_FAILED', `Docker refused to start the command (HTTP ${res.statusCode})`));
    });
    req.on('error', (cause) => {
      settle();
      reject(
        cause instanceof SlipwayError
          ? cause
          : new SlipwayError('DOCKER_UNAVAILABLE', 'the Docker Engine does not answer', { cause }),
      );
    });
    req.end(body);
  });
  return { execId, stream, tty: opts.tty };
}

export async function inspectExec(execId: string, endpoint?: DockerEndpoint): Promise<ExecState> {
  const res = await call(endpointOf(endpoint), 'GET', `/exec/${execId}/json`, undefined, withTimeout(CALL_TIMEOUT_MS));
  if (res.status >= 300) throw new SlipwayError('NOT_FOUND', `no such exec: ${res.text.trim().slice(0, 200)}`);
  const v = JSON.parse(res.text) as { Running?: unknown; ExitCode?: unknown; Pid?: unknown };
  return {
    running: v.Running === true,
    exitCode: typeof v.ExitCode === 'number' ? v.ExitCode : null,
    pid: typeof v.Pid === 'number' ? v.Pid : 0,
  };
}

/** After its stream ended: the command's exit code (Docker may take a moment to record it). */
export async function execExitCode(execId: string, endpoint?: DockerEndpoint): Promise<number> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (;;) {
    const state = await inspectExec(execId, endpoint);
    if (!state.running && state.exitCode !== null) return state.exitCode;
    if (Date.now() > deadline)
      throw new SlipwayError('TIMEOUT', 'the command closed its output but Docker reports no exit code', {
        hint: 'it may still be running in the container: see `docker top`',
      });
    await sleep(100);
  }
}

/**
 * Docker has no API to end an exec: when the client leaves, its process is killed on the engine's host
 * (a local engine only), after checking through /proc that the pid still belongs to that container. A
 * process that leads its own group (a TTY session) is killed with its group.
 */
export async function killExecProcess(
  containerId: string,
  execId: string,
  endpoint?: DockerEndpoint,
): Promise<boolean> {
  const at = endpointOf(endpoint);
  if (!('socketPath' in at)) return false;
  const state = await inspectExec(execId, at).catch(() => null);
  if (!state?.running || state.pid <= 0) return false;
  const cgroup = await readFile(`/proc/${state.pid}/cgroup`, 'utf8').catch(() => '');
  if (!cgroup.includes(containerId)) return false;
  const stat = await readFile(`/proc/${state.pid}/stat`, 'utf8').catch(() => '');
  const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  try {
    process.kill(group === state.pid ? -state.pid : state.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
