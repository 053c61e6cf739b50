import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Header, Pax } from 'tar';
import { contextEntries, packEntries, type ExtraEntry } from '../../src/image-build/build-context.js';
import { openStore, type Store } from '../../src/store/store.js';
import { DockerEngine } from '../../src/engine/docker-engine.js';
import { BuildService } from '../../src/image-build/build-service.js';
import type { SourceBuildOptions } from '../../src/image-build/build-service.js';
import type { SlipwayEvent } from '../../src/core/events.js';

/**
 * The security suite's sandbox: a work directory (uploads, workspaces, fixtures) and, beside it,
 * an `outside` directory an attacker would aim at — a secret file with a unique marker, a victim
 * directory, a victim file. `assertUntouched()` proves nothing there was written, deleted or added;
 * `assertNoLeak(text)` that the secret never appears in an error or output.
 */
export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'slipway-security-'));
  readonly work = join(this.root, 'work');
  readonly outside = join(this.root, 'outside');
  readonly marker = `SECRET-${randomBytes(8).toString('hex')}`;
  readonly secretFile = join(this.outside, 'secret.txt');
  readonly victimDir = join(this.outside, 'victim-dir');
  readonly victimFile = join(this.outside, 'victim.txt');
  private readonly before: string;

  constructor() {
    mkdirSync(this.work);
    mkdirSync(this.victimDir, { recursive: true });
    writeFileSync(this.secretFile, `root:${this.marker}:19000:0:99999:7:::\n`);
    writeFileSync(this.victimFile, 'victim\n');
    writeFileSync(join(this.victimDir, 'server'), 'keep me\n');
    this.before = this.fingerprint();
  }

  /** Every path, type, mode, size, mtime and content hash under `outside`. */
  private fingerprint(): string {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        const info = lstatSync(path);
        const hash = info.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : '';
        out.push(`${path} ${info.mode} ${info.size} ${info.mtimeMs} ${hash}`);
        if (info.isDirectory()) walk(path);
      }
    };
    walk(this.outside);
    return out.join('\n');
  }

  assertUntouched(): void {
    assert.equal(this.fingerprint(), this.before, 'nothing outside the upload was written, deleted or added');
  }

  assertNoLeak(...texts: unknown[]): void {
    for (const text of texts) {
      const shown = JSON.stringify(text ?? '');
      assert.ok(!shown.includes(this.marker), `no outside content in ${shown.slice(0, 300)}`);
    }
  }

  /** A marker path a command would create if an upload's name ever reached a shell or an option. */
  pwned(n: number | string): string {
    return join(this.outside, `pwned-${n}`);
  }

  dir(name: string, files: Record<string, string> = {}): string {
    const dir = join(this.work, name);
    mkdirSync(dir, { recursive: true });
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return dir;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface RawEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice' | 'BlockDevice';
  data?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

/**
 * A tar archive built block by block, exactly as given: absolute and `..` names, NUL bytes (in a
 * pax header), links through links, devices — what a hostile client could send.
 */
export function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    const type = entry.type ?? 'File';
    const fields = {
      path: entry.path,
      type,
      size: type === 'File' ? data.length : 0,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}),
    };
    const needsPax =
      Buffer.byteLength(entry.path) > 99 ||
      entry.path.includes('\0') ||
      (entry.linkpath !== undefined && (Buffer.byteLength(entry.linkpath) > 99 || entry.linkpath.includes('\0')));
    if (needsPax)
      blocks.push(
        new Pax({ path: entry.path, ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}) }).encode(),
      );
    const header = Buffer.alloc(512);
    new Header({
      ...fields,
      path: needsPax ? 'pax-named' : entry.path,
      ...(needsPax && entry.linkpath !== undefined ? { linkpath: 'pax-link' } : {}),
    }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A directory packed the way the CLI packs it (links stored as links), plain tar, written next to it. */
export async function tarOf(dir: string, extra: ExtraEntry[] = []): Promise<string> {
  const file = `${dir}.tar`;
  await pipeline(packEntries(dir, await contextEntries(dir, [], new Set()), { extra }), createWriteStream(file));
  return file;
}

export function writeTar(dir: string, name: string, entries: RawEntry[]): string {
  const file = join(dir, name);
  writeFileSync(file, rawTar(entries));
  return file;
}

/** A real store and the real Docker Engine (scoped like a Slipway home), and one app in it. */
export class BuildBench {
  readonly home: string;
  readonly store: Store;
  readonly engine: DockerEngine;
  readonly builds: BuildService;
  readonly tags: string[] = [];

  constructor(
    readonly sandbox: Sandbox,
    readonly app = `sec-${randomBytes(3).toString('hex')}`,
  ) {
    this.home = join(sandbox.work, 'home');
    mkdirSync(this.home, { recursive: true });
    this.store = openStore(join(this.home, 'slipway.db'), randomBytes(32));
    this.store.apps.create(app, new Date().toISOString());
    this.engine = new DockerEngine({
      scopeLabels: { 'slipway.instance': `security-${randomBytes(4).toString('hex')}` },
    });
    this.builds = new BuildService({ engine: this.engine, store: this.store });
  }

  /** Builds an upload; resolves to the result or the error, with every event. */
  async build(
    tarFile: string,
    opts: Partial<SourceBuildOptions> = {},
  ): Promise<{ error?: Error & { code?: string; hint?: string }; events: SlipwayEvent[] }> {
    const events: SlipwayEvent[] = [];
    try {
      const build = await this.builds.fromSource(this.app, tarFile, {
        description: 'security test',
        emit: (e) => events.push(e),
        ...opts,
      });
      this.tags.push(build.imageRef);
      return { events };
    } catch (error) {
      return { error: error as Error & { code?: string; hint?: string }, events };
    }
  }

  /** The workspaces the builds left in the upload's directory (always none). */
  leftovers(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('slipway-build-')) : [];
  }

  async close(): Promise<void> {
    for (const tag of this.tags) await this.engine.removeImage(tag, { force: true }).catch(() => undefined);
    this.store.close();
  }
}

/** Asserts a refusal: the code, a hint, the message matches, and no outside content anywhere in it. */
export function assertRefused(
  sandbox: Sandbox,
  error: (Error & { code?: string; hint?: string }) | undefined,
  code: string,
  message: RegExp,
): void {
  assert.ok(error, 'refused');
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
  assert.ok(error.hint, `a hint for: ${error.message}`);
  sandbox.assertNoLeak(error.message, error.hint, (error as { details?: unknown }).details);
}

/** Registers the suite's hooks: a fresh sandbox and build bench before, both cleaned up after. */
export function benchHooks(set: (sandbox: Sandbox, bench: BuildBench) => void): void {
  let sandbox: Sandbox;
  let bench: BuildBench;
  before(() => {
    sandbox = new Sandbox();
    bench = new BuildBench(sandbox);
    set(sandbox, bench);
  });
  after(async () => {
    await bench.close();
    sandbox.cleanup();
  });
}
