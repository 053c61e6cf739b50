import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Header } from 'tar';
import { SlipwayError } from '../core/errors.js';
import type { DockerHttpClient } from '../engine/docker-http.js';
import type { RegistryTrust } from './join-command.js';

/**
 * Makes a node's Docker trust Slipway's registry CA through that node's Docker API alone (a node joined with
 * `--engine`: Slipway can reach its engine, not its files). Docker has no "write a host file" call, so: an
 * image with an empty root file system is imported there, a container of it is created (never started) with
 * the node's /etc/docker/certs.d bind-mounted, `HOST:PORT/ca.crt` is written into that mount through the
 * archive API, and container and image are removed. Docker reads the file at each pull: no restart.
 */

const CARRIER = 'slipway/trust-carrier';
const CARRIER_TAG = '1';
const SERVER_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** A tar of `entries` (directories end with `/`), built in memory. */
export function tarOf(entries: { path: string; data?: Buffer; mode?: number }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const dir = e.path.endsWith('/');
    const data = e.data ?? Buffer.alloc(0);
    const header = new Header({
      path: e.path,
      type: dir ? 'Directory' : 'File',
      mode: e.mode ?? (dir ? 0o755 : 0o644),
      size: dir ? 0 : data.length,
      mtime: new Date(),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (!dir && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export async function installRegistryCa(http: DockerHttpClient, trust: RegistryTrust, signal?: AbortSignal) {
  if (!SERVER_RE.test(trust.server) || !trust.caPem.includes('-----BEGIN CERTIFICATE-----'))
    throw new SlipwayError('INTERNAL', 'the registry address or its CA has an unexpected form');
  const opts = signal ? { signal } : {};
  const imported = await http.stream(
    {
      method: 'POST',
      path: '/images/create',
      query: { fromSrc: '-', repo: CARRIER, tag: CARRIER_TAG },
      contentType: 'application/x-tar',
    },
    { ...opts, body: Readable.from([tarOf([{ path: 'certs.d/' }])]), totalTimeoutMs: 60_000 },
  );
  for await (const chunk of imported.body) void chunk;
  const name = `slipway-trust-${randomBytes(4).toString('hex')}`;
  const created = await http.json<{ Id: string }>(
    {
      method: 'POST',
      path: '/containers/create',
      query: { name },
      body: {
        Image: `${CARRIER}:${CARRIER_TAG}`,
        Cmd: ['/never-started'],
        NetworkDisabled: true,
        HostConfig: { Binds: ['/etc/docker/certs.d:/certs.d'] },
      },
    },
    opts,
  );
  const id = created.body!.Id;
  try {
    const tar = tarOf([
      { path: `${trust.server}/` },
      { path: `${trust.server}/ca.crt`, data: Buffer.from(trust.caPem), mode: 0o644 },
    ]);
    await http
      .stream(
        {
          method: 'PUT',
          path: `/containers/${encodeURIComponent(id)}/archive`,
          query: { path: '/certs.d' },
          contentType: 'application/x-tar',
        },
        { ...opts, body: Readable.from([tar]), totalTimeoutMs: 30_000 },
      )
      .then(async (res) => {
        for await (const chunk of res.body) void chunk;
      });
  } finally {
    const cleanup = { signal: AbortSignal.timeout(15_000), accept: [404, 409] };
    await http.json({ method: 'DELETE', path: `/containers/${id}`, query: { force: 'true' } }, cleanup).catch(() => {});
    await http
      .json({ method: 'DELETE', path: `/images/${CARRIER}:${CARRIER_TAG}`, query: { force: 'true' } }, cleanup)
      .catch(() => {});
  }
}
