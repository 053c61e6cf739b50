#!/usr/bin/env node
// `npm run build`, after tsc: bundles the CLI's own code (src/cli/**) into dist/cli-bundle/ with esbuild.
// Node reads one file for the command table instead of ~40 (each costs the ESM loader about half a
// millisecond); every command's implementation stays its own chunk, loaded when the command runs.
// Imports of code outside src/cli (core, config, the server…) stay imports of the tsc output in
// dist/, so the CLI and the server share one copy of each (one SlipwayError class), and
// npm packages are left to node. bin/slipway runs the bundle when it is at least as new as dist/cli/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'src', 'cli');
const outdir = join(root, 'dist', 'cli-bundle');

/** Relative imports that leave src/cli become imports of dist/<same path>.js, relative to outdir. */
const outsideCliIsExternal = {
  name: 'outside-cli-is-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (target.startsWith(cli + sep)) return undefined;
      const fromSrc = relative(join(root, 'src'), target);
      if (fromSrc.startsWith('..')) throw new Error(`${args.importer} imports ${args.path}, outside src/`);
      const path = relative(outdir, join(root, 'dist', fromSrc))
        .split(sep)
        .join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true }); // chunks of an earlier build have other names
await build({
  absWorkingDir: root,
  entryPoints: { slipway: join(cli, 'bin.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: '[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [outsideCliIsExternal],
});
