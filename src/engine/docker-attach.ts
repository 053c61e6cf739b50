import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { SlipwayError } from '../core/errors.js';
import { abortError } from '../core/abort.js';
import type { ContainerSpec } from './port.js';
import { createContainerRequest, startContainerRequest } from './docker-requests.js';
import { DOCKER_API_VERSION, parseDockerHost, type DockerEndpoint } from './docker-http.js';

export interface AttachedContainer {
  id: string;
  /** Raw attach stream: with a TTY plain bytes, else Docker's multiplexed frames. Writing feeds stdin. */
  stream: Duplex;
  tty: boolean;
}

export function requestOptions(
  endpoint: DockerEndpoint,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): http.RequestOptions {
  const where =
    'socketPath' in endpoint
      ? { socketPath: endpoint.socketPath }
      : {
          host: endpoint.host,
          port: endpoint.port,
          ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
        };
  return { ...where, method, path: `/${DOCKER_API_VERSION}${path}`, headers };
}

/** `http.request`, or `https.request` for a TLS endpoint (its CA checks the engine; its cert and key are ours). */
export function dockerRequest(
  endpoint: DockerEndpoint,
  options: http.RequestOptions,
  onResponse?: (res: http.IncomingMessage) => void,
): http.ClientRequest {
  const tls = 'host' in endpoint && endpoint.tls !== undefined;
  return tls ? https.request(options, onResponse) : http.request(options, onResponse);
}

/** One Docker API call on its own connection, with its status and body text (used by attach and exec). */
export function call(
  endpoint: DockerEndpoint,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = dockerRequest(
      endpoint,
      { ...requestOptions(endpoint, method, path, data ? { 'content-type': 'application/json' } : {}), signal },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (cause) =>
      reject(
        signal?.aborted
          ? (signal.reason as Error | undefined)?.name === 'TimeoutError'
            ? new SlipwayError('TIMEOUT', `the Docker Engine did not answer ${method} ${path} in time`, { cause })
            : abortError(signal)
          : new SlipwayError('DOCKER_UNAVAILABLE', 'the Docker Engine does not answer', {
              cause,
              hint: 'start Docker: `dockerd &` or run `slipway setup`',
            }),
      ),
    );
    req.end(data);
  });
}

function query(q: Record<string, string> | undefined): string {
  return q ? `?${new URLSearchParams(q)}` : '';
}

/**
 * Creates a container, attaches to its stdio (a hijacked HTTP connection), then starts it, so no
 * output is missed. With `stdin`, closing the write side of the stream closes the container's stdin.
 */
export async function startAttached(
  spec: ContainerSpec,
  opts: { stdin: boolean; tty: boolean; endpoint?: DockerEndpoint },
): Promise<AttachedContainer> {
  const endpoint = opts.endpoint ?? parseDockerHost(process.env['DOCKER_HOST']);
  const create = createContainerRequest({ ...spec, openStdin: opts.stdin, tty: opts.tty });
  const body = {
    ...(create.body as Record<string, unknown>),
    AttachStdin: opts.stdin,
    AttachStdout: true,
    AttachStderr: true,
    StdinOnce: opts.stdin,
  };
  const created = await call(endpoint, create.method, create.path + query(create.query), body);
  if (created.status === 404)
    throw new SlipwayError('IMAGE_NOT_FOUND', `image ${spec.image} is not on this host`, {
      hint: "the release's image was removed; deploy again",
    });
  if (created.status >= 300)
    throw new SlipwayError('CONTAINER_FAILED', `could not create the container: ${created.text.trim()}`);
  const id = (JSON.parse(created.text) as { Id: string }).Id;
  const stream = await new Promise<Duplex>((resolve, reject) => {
    const attachQuery = new URLSearchParams({ stream: '1', stdout: '1', stderr: '1', stdin: opts.stdin ? '1' : '0' });
    const req = dockerRequest(
      endpoint,
      requestOptions(endpoint, 'POST', `/containers/${id}/attach?${attachQuery}`, {
        connection: 'Upgrade',
        upgrade: 'tcp',
      }),
    );
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('response', (res) =>
      reject(new SlipwayError('CONTAINER_FAILED', `Docker refused to attach (HTTP ${res.statusCode})`)),
    );
    req.on('error', reject);
    req.end();
  });
  const start = startContainerRequest(id);
  const started = await call(endpoint, start.method, start.path);
  if (started.status >= 300 && started.status !== 304) {
    stream.destroy();
    await call(endpoint, 'DELETE', `/containers/${id}?force=1`).catch(() => undefined);
    throw new SlipwayError('CONTAINER_FAILED', `the command could not start: ${started.text.trim()}`, {
      hint: 'check the command exists in the image',
    });
  }
  return { id, stream, tty: opts.tty };
}
