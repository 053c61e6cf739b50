import { Readable } from 'node:stream';
import type { ContainerEngine } from '../engine/port.js';

/**
 * Build-specific labels (build id, commit, …) are stamped on the finished image as one LABEL
 * instruction in a tiny build `FROM <image>`, not passed to the real build: the classic builder
 * puts build-time labels into every layer's config, so a per-build value there would defeat its
 * layer cache for every build.
 */
export async function stampImage(
  engine: ContainerEngine,
  imageId: string,
  tag: string,
  labels: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  if (Object.keys(labels).length === 0) return imageId;
  const dockerfile = `FROM ${imageId}\nLABEL ${Object.entries(labels)
    .map(([k, v]) => `${quote(k)}=${quote(v)}`)
    .join(' \\\n      ')}\n`;
  const { imageId: stamped } = await engine.buildImage({
    context: Readable.from([singleFileTar('Dockerfile', dockerfile)]),
    tag,
    ...(signal ? { signal } : {}),
  });
  return stamped;
}

/** A double-quoted Dockerfile word (values are checked at the API boundary; quotes and backslashes escaped). */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"`;
}

/** A ustar archive holding one regular file (the build context of the stamp). */
export function singleFileTar(name: string, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(512);
  const put = (value: string, offset: number, length: number) => header.write(value.slice(0, length), offset, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(body.length, 12), 124, 12);
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding, Buffer.alloc(1024)]);
}
