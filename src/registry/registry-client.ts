import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { JsonLinesDecoder } from '../engine/docker-build-progress.js';
import type { CallOptions, JsonResponse, StreamCallOptions, StreamResponse } from '../engine/docker-http.js';
import { tagImageRequest, type DockerRequest } from '../engine/docker-requests.js';
import type { RegistryAccess } from './registry-auth.js';
import { appRepository, assertDigest, assertTag, parseImageReference } from './registry-names.js';
import {
  emptyTransferState,
  foldTransferMessage,
  registryErrorHint,
  type LayerProgress,
  type TransferMessage,
} from './registry-progress.js';
import { pullImageRequest, pushImageRequest } from './registry-requests.js';

/** The part of `DockerHttpClient` the registry client needs (one Docker Engine: the manager or a node). */
export interface DockerApi {
  json<T = unknown>(req: DockerRequest, opts?: CallOptions): Promise<JsonResponse<T>>;
  stream(req: DockerRequest, opts?: StreamCallOptions): Promise<StreamResponse>;
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** Limit for the whole push or pull (default 10 minutes). */
  timeoutMs?: number;
  onProgress?: (progress: LayerProgress) => void;
}

export interface PushResult {
  /** `SERVER/slipway/APP@sha256:…` — what services run. */
  ref: string;
  digest: string;
  /** `SERVER/slipway/APP:TAG` */
  tagged: string;
}

const DEFAULT_TRANSFER_TIMEOUT_MS = 10 * 60_000;

/**
 * Pushes images to one registry and pulls them by digest, through a Docker Engine's API; the same
 * client serves Slipway's supervised registry and a registry the user names.
 */
export class RegistryClient {
  constructor(
    private readonly docker: DockerApi,
    private readonly access: RegistryAccess,
  ) {}

  get server(): string {
    return this.access.server;
  }

  /** Tags `image` as `SERVER/slipway/APP:TAG`, pushes it, returns the digest reference. */
  async push(image: string, app: string, tag: string, opts: TransferOptions = {}): Promise<PushResult> {
    const repository = appRepository(this.access.server, app);
    assertTag(tag);
    await this.docker.json(tagImageRequest(image, repository, tag), callOptions(opts));
    const req = pushImageRequest(repository, tag, this.access);
    const digest = await this.transfer(req, 'push', `${repository}:${tag}`, opts);
    if (!digest) {
      throw new SlipwayError('REGISTRY_FAILED', `pushing ${repository}:${tag} ended without a digest`, {
        hint: `see the registry's log for ${this.access.server}`,
      });
    }
    assertDigest(digest);
    return { ref: `${repository}@${digest}`, digest, tagged: `${repository}:${tag}` };
  }

  /** Pulls `ref` (normally `…@sha256:…`) onto this Docker Engine; the digest the registry named, if it did. */
  async pull(ref: string, opts: TransferOptions = {}): Promise<string | undefined> {
    const { server } = parseImageReference(ref);
    const access = server?.toLowerCase() === this.access.server.toLowerCase() ? this.access : undefined;
    return this.transfer(pullImageRequest(ref, access), 'pull', ref, opts);
  }

  private async transfer(
    req: DockerRequest,
    verb: 'push' | 'pull',
    what: string,
    opts: TransferOptions,
  ): Promise<string | undefined> {
    const server = this.access.server;
    let res: StreamResponse;
    try {
      res = await this.docker.stream(req, {
        ...callOptions(opts),
        totalTimeoutMs: opts.timeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS,
      });
    } catch (err) {
      throw transferError(err, verb, what, server);
    }
    const decoder = new JsonLinesDecoder();
    const state = emptyTransferState();
    const fold = (messages: unknown[]) => {
      for (const message of messages) {
        const progress = foldTransferMessage(state, message as TransferMessage);
        if (progress) opts.onProgress?.(progress);
      }
    };
    try {
      for await (const chunk of res.body) fold(decoder.push(chunk));
      fold(decoder.flush());
    } catch (err) {
      throw transferError(err, verb, what, server);
    }
    if (state.error !== undefined) {
      throw new SlipwayError('REGISTRY_FAILED', `${verb} of ${what} failed: ${state.error}`, {
        hint: registryErrorHint(state.error, server),
        details: { registry: server, registryMessage: state.error },
      });
    }
    return state.digest;
  }
}

function callOptions(opts: TransferOptions): CallOptions {
  return opts.signal ? { signal: opts.signal } : {};
}

/** Docker answered the call itself with an error (e.g. a pull it could not start): a REGISTRY_FAILED. */
function transferError(err: unknown, verb: string, what: string, server: string): Error {
  if (!isSlipwayError(err) || err.details?.['dockerMessage'] === undefined) return err as Error;
  const message = String(err.details['dockerMessage']);
  return new SlipwayError('REGISTRY_FAILED', `${verb} of ${what} failed: ${message}`, {
    hint: registryErrorHint(message, server),
    cause: err,
    details: { registry: server, registryMessage: message, status: err.details['status'] },
  });
}
