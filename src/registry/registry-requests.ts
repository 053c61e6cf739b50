import type { DockerRequest } from '../engine/docker-requests.js';
import { registryAuthHeaders, type RegistryAccess } from './registry-auth.js';
import { parseImageReference } from './registry-names.js';

/** Docker Engine API requests of pushes and pulls, as data (the header carries credentials: never log it). */

function encodePath(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/').replace(/%3A/gi, ':');
}

/** `POST /images/{repo}/push?tag=TAG` with `X-Registry-Auth`. */
export function pushImageRequest(repository: string, tag: string, access: RegistryAccess): DockerRequest {
  return {
    method: 'POST',
    path: `/images/${encodePath(repository)}/push`,
    query: { tag },
    headers: registryAuthHeaders(access),
  };
}

/**
 * `POST /images/create?fromImage=REPO&tag=TAG|DIGEST` (what the docker CLI sends; a digest goes in `tag`),
 * with `X-Registry-Auth` when credentials are given.
 */
export function pullImageRequest(ref: string, access?: RegistryAccess): DockerRequest {
  const { repository, tag, digest } = parseImageReference(ref);
  return {
    method: 'POST',
    path: '/images/create',
    query: { fromImage: repository, tag: digest ?? tag ?? 'latest' },
    ...(access ? { headers: registryAuthHeaders(access) } : {}),
  };
}
