import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import type { DockerHttpClient } from '../engine/docker-http.js';
import type { RegistryLogin, RegistryLoginRepository } from '../store/registry-login-repository.js';
import { RegistryClient } from './registry-client.js';
import { parseImageReference } from './registry-names.js';

/** What a pull gave: the image id here, and the digest reference that names exactly those bytes. */
export interface PulledImage {
  id: string;
  /** `REGISTRY/NAME@sha256:…` */
  pinned: string;
}

const SERVER_RE = /^(?=.{1,255}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/i;
const USER_RE = /^[^\s:]{1,255}$/;

/** `registry:login` server names: HOST or HOST:PORT exactly as image references spell them. */
export function checkRegistryServer(server: string): string {
  const port = Number(server.split(':')[1] ?? '443');
  if (!SERVER_RE.test(server) || !(port >= 1 && port <= 65_535))
    throw new SlipwayError('INVALID_INPUT', `not a registry host: ${JSON.stringify(server.slice(0, 80))}`, {
      hint: 'give HOST or HOST:PORT as your image names spell it, e.g. registry.example.com or 10.0.0.5:5000',
    });
  return server.toLowerCase();
}

/**
 * Images from registries for `deploy --image`: logins checked by the Docker Engine against the registry
 * before they are kept (sealed), pulls with per-layer progress, and the digest each pull resolved to.
 */
export class ImagePuller {
  constructor(
    private readonly docker: DockerHttpClient,
    private readonly logins: RegistryLoginRepository,
  ) {}

  list(): RegistryLogin[] {
    return this.logins.list();
  }

  async login(server: string, username: string, password: string, signal?: AbortSignal): Promise<RegistryLogin> {
    const host = checkRegistryServer(server);
    if (!USER_RE.test(username))
      throw new SlipwayError('INVALID_INPUT', 'not a registry user name', { hint: 'no spaces or ":" in it' });
    if (password.length === 0 || password.length > 4096)
      throw new SlipwayError('INVALID_INPUT', 'the password is empty (or longer than 4096 characters)', {
        hint: `echo "$TOKEN" | slipway registry:login ${host} --username ${username} --password-stdin`,
      });
    try {
      await this.docker.json(
        { method: 'POST', path: '/auth', body: { username, password, serveraddress: host } },
        signal ? { signal } : {},
      );
    } catch (err) {
      const message = isSlipwayError(err) ? String(err.details?.['dockerMessage'] ?? err.message) : String(err);
      throw new SlipwayError('UNAUTHORIZED', `${host} refused the login: ${message}`, {
        hint: 'check the user name and password (or token); nothing was stored',
        cause: err,
      });
    }
    this.logins.put({ server: host, username, password }, new Date().toISOString());
    return this.list().find((l) => l.server === host)!;
  }

  logout(server: string): void {
    const host = checkRegistryServer(server);
    if (!this.logins.remove(host))
      throw new SlipwayError('NOT_FOUND', `no login for ${host}`, { hint: 'see `slipway registries`' });
  }

  /** Pulls `ref` with the login for its registry (if any); each layer's progress is a line of output. */
  async pull(ref: string, emit: EventSink, signal?: AbortSignal): Promise<PulledImage> {
    const { server, repository } = parseImageReference(ref);
    const access = server ? this.logins.access(server) : undefined;
    // A client whose own registry never matches: no credentials are sent unless there is a login.
    const client = new RegistryClient(this.docker, access ?? { server: '', username: '', password: '' });
    const seen = new Map<string, string>();
    const digest = await stage(emit, 'build', `pull ${ref}`, async () => {
      try {
        return await client.pull(ref, {
          ...(signal ? { signal } : {}),
          onProgress: (p) => {
            if (seen.get(p.layer) === p.status) return;
            seen.set(p.layer, p.status);
            const size = p.total ? ` (${megabytes(p.total)})` : '';
            emit({
              type: 'output',
              source: 'build',
              text: `${p.layer}: ${p.status}${size}`,
              at: new Date().toISOString(),
            });
          },
        });
      } catch (err) {
        // Without credentials a registry's answer is not always "unauthorized" (Docker falls back to plain
        // HTTP for a loopback registry and reports that): name the login either way.
        if (!access && server && isSlipwayError(err))
          throw new SlipwayError(err.code, err.message, {
            hint:
              `if ${server} needs credentials: slipway registry:login ${server} --username USER --password-stdin` +
              (err.hint ? `; else ${err.hint}` : ''),
            cause: err,
            ...(err.details ? { details: err.details } : {}),
          });
        throw err;
      }
    });
    const pinned = ref.includes('@') ? ref : digest ? `${repository}@${digest}` : undefined;
    const image = await this.docker.json<{ Id?: string; RepoDigests?: string[] }>(
      { method: 'GET', path: `/images/${encodeURIComponent(pinned ?? ref)}/json` },
      signal ? { signal } : {},
    );
    const id = image.body?.Id;
    const repoDigest = pinned ?? image.body?.RepoDigests?.find((d) => d.startsWith(`${repository}@`));
    if (!id || !repoDigest)
      throw new SlipwayError('REGISTRY_FAILED', `pulled ${ref} but Docker reports no digest for it`, {
        hint: 'push the image to a registry (a digest exists only there) and deploy it by that name',
      });
    return { id, pinned: repoDigest };
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
