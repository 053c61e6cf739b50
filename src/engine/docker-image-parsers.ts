import type { ImageHistoryEntry, ImageSummary } from './port.js';

/** Pure parsers of Docker's image list and history answers (unknown JSON in, typed values out). */

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function labelMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** `GET /images/{name}/history` */
export function parseImageHistory(body: unknown): ImageHistoryEntry[] {
  if (!Array.isArray(body)) return [];
  return body.map((entry: Record<string, unknown>) => ({
    id: typeof entry['Id'] === 'string' ? entry['Id'] : '',
    createdBy: typeof entry['CreatedBy'] === 'string' ? entry['CreatedBy'] : '',
    comment: typeof entry['Comment'] === 'string' ? entry['Comment'] : '',
    tags: strings(entry['Tags']).filter((t) => t !== '<none>:<none>'),
  }));
}

/** `GET /images/json` */
export function parseImageList(body: unknown): ImageSummary[] {
  if (!Array.isArray(body)) return [];
  return body.map((entry: Record<string, unknown>) => ({
    id: typeof entry['Id'] === 'string' ? entry['Id'] : '',
    tags: strings(entry['RepoTags']).filter((t) => t !== '<none>:<none>'),
    labels: labelMap(entry['Labels']),
  }));
}
