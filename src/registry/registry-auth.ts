import { parseImageReference } from './registry-names.js';

/** What a Docker Engine needs to talk to one registry: its `HOST:PORT` and a user and password. */
export interface RegistryAccess {
  server: string;
  username: string;
  password: string;
}

/**
 * Docker's `X-Registry-Auth` value: base64url (with padding, as the docker CLI sends it) of
 * `{"username","password","serveraddress"}`. It carries the password: never log it.
 */
export function encodeRegistryAuth(access: RegistryAccess): string {
  const json = JSON.stringify({ username: access.username, password: access.password, serveraddress: access.server });
  return Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function registryAuthHeaders(access: RegistryAccess): { 'X-Registry-Auth': string } {
  return { 'X-Registry-Auth': encodeRegistryAuth(access) };
}

/**
 * The `X-Registry-Auth` header for an image when it lives in one of `registries`, else undefined.
 * For `POST /services/create` and `POST /services/{id}/update`: the manager hands these credentials
 * to the workers that pull the task's image.
 */
export function registryAuthHeadersFor(
  image: string,
  registries: readonly RegistryAccess[],
): { 'X-Registry-Auth': string } | undefined {
  const { server } = parseImageReference(image);
  if (!server) return undefined;
  const access = registries.find((r) => r.server.toLowerCase() === server.toLowerCase());
  return access ? registryAuthHeaders(access) : undefined;
}
