/**
 * Pure folding of the push / pull progress stream (JSON lines), e.g.
 *   {"status":"Pushing","progressDetail":{"current":512,"total":1024},"id":"5f70bf18a086"}
 *   {"status":"latest: digest: sha256:… size: 527"}
 *   {"progressDetail":{},"aux":{"Tag":"1","Digest":"sha256:…","Size":527}}
 *   {"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: …"}
 */

export interface TransferMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/** One layer's progress, as callers see it. */
export interface LayerProgress {
  /** Short layer id, e.g. `5f70bf18a086`. */
  layer: string;
  status: string;
  current?: number;
  total?: number;
}

export interface TransferState {
  digest: string | undefined;
  error: string | undefined;
}

export function emptyTransferState(): TransferState {
  return { digest: undefined, error: undefined };
}

const DIGEST_IN_STATUS = /digest: (sha256:[0-9a-f]{64})/i;

/** Folds one message into the state; returns the layer progress it carries, if any. */
export function foldTransferMessage(state: TransferState, message: TransferMessage): LayerProgress | undefined {
  if (message.error !== undefined || message.errorDetail?.message !== undefined) {
    state.error = message.errorDetail?.message ?? message.error ?? 'unknown error';
    return undefined;
  }
  if (message.aux?.Digest) state.digest = message.aux.Digest;
  const fromStatus = message.status ? DIGEST_IN_STATUS.exec(message.status)?.[1] : undefined;
  if (fromStatus && !state.digest) state.digest = fromStatus;
  if (!message.id || !message.status) return undefined;
  const { current, total } = message.progressDetail ?? {};
  return {
    layer: message.id,
    status: message.status,
    ...(current !== undefined ? { current } : {}),
    ...(total !== undefined ? { total } : {}),
  };
}

/** A hint for a registry error message a user can act on. */
export function registryErrorHint(message: string, server: string): string {
  if (/unauthorized|authentication required|no basic auth credentials/i.test(message)) {
    return `the registry ${server} refused the credentials: check the user and password Slipway has for it`;
  }
  if (/x509|certificate/i.test(message)) {
    return `this Docker host does not trust ${server}: put its CA at /etc/docker/certs.d/${server}/ca.crt`;
  }
  if (/connection refused|no such host|i\/o timeout|no route to host/i.test(message)) {
    return `nothing answers at ${server}: is the registry running and reachable from this node?`;
  }
  if (/manifest unknown|not found/i.test(message)) {
    return 'the image is not in the registry: push it first';
  }
  return `see the registry's log for ${server}`;
}
