import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerTls } from '../engine/docker-http.js';
import type { SecretBox } from '../store/secret-box.js';

/**
 * The client certificates of nodes Slipway joined through a TLS Docker endpoint (`nodes:add --engine
 * tcp://HOST:2376 --tls-dir DIR`), kept so `nodes:remove` (and exec on that node) can reach it again.
 * One file per endpoint URL, sealed with the home's secret key (the client key is a secret), mode 600.
 */
export class EngineTlsStore {
  constructor(
    private readonly dir: string,
    private readonly box: SecretBox,
  ) {}

  private file(url: string): string {
    return join(this.dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.sealed`);
  }

  save(url: string, tls: DockerTls): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.file(url), this.box.seal(JSON.stringify({ url, tls })) + '\n', { mode: 0o600 });
  }

  /** The certificates for `url`, or undefined (none kept, or sealed with another key: unreadable). */
  load(url: string): DockerTls | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(url), 'utf8').trim();
    } catch {
      return undefined;
    }
    try {
      const value = JSON.parse(this.box.open(text)) as { url: string; tls: DockerTls };
      return value.url === url ? value.tls : undefined;
    } catch {
      return undefined;
    }
  }

  remove(url: string): void {
    rmSync(this.file(url), { force: true });
  }
}
