import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './main.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE_DIR = join(ROOT, 'dist', 'cli-bundle');
const BUNDLE = join(BUNDLE_DIR, 'slipway.js');

/** Why the bundle cannot be checked (not built, or older than a source file of src/); undefined when it can. */
function unusable(): string | undefined {
  if (!existsSync(BUNDLE)) return 'no dist/cli-bundle (npm run build makes it)';
  const built = statSync(BUNDLE).mtimeMs;
  for (const entry of readdirSync(join(ROOT, 'src'), { withFileTypes: true, recursive: true }))
    if (
      entry.isFile() &&
      !entry.name.endsWith('.test.ts') &&
      statSync(join(entry.parentPath, entry.name)).mtimeMs > built
    )
      return `dist/cli-bundle is older than ${entry.name} (npm run build)`;
  return undefined;
}

test('the bundled CLI (bin/slipway after npm run build) answers as the sources do', { skip: unusable() }, async () => {
  for (const argv of [['help'], ['deploy', '--help'], ['--version'], ['completion', 'bash'], ['delpoy'], ['apps:x']]) {
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    const bundled = spawnSync(process.execPath, [BUNDLE, ...argv], { encoding: 'utf8' });
    assert.deepEqual([bundled.status, bundled.stdout, bundled.stderr], [code, out, err], argv.join(' '));
  }
});

test(
  'the bundle holds only src/cli: the rest (one SlipwayError class, the server) comes from dist/',
  { skip: unusable() },
  () => {
    for (const file of readdirSync(BUNDLE_DIR).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(join(BUNDLE_DIR, file), 'utf8');
      assert.doesNotMatch(text, /class SlipwayError\b/, file);
      for (const [, source] of text.matchAll(/^\/\/ (src\/\S+)$/gm)) assert.match(source!, /^src\/cli\//, file);
    }
  },
);
