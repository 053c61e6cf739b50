/**
 * bench/analyze: (1) analysis time on a generated 10k-file Node tree (median of RUNS); (2) for the
 * node-express-npm fixture, image size, first-build time and cached-rebuild time after a source-only
 * change, of the Dockerfile `slipway init` generates vs a naive `COPY . . && npm install` Dockerfile.
 * Both use the Debian runtime on the local base image (no container registry here) and the host's
 * CA bundle for npm. Run: node --import tsx bench/analyze.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSource, generateFiles } from '../src/analyze/index.js';
import { CA_CERT_FILE } from '../src/analyze/build-options.js';
import { contextEntries } from '../src/image-build/build-context.js';
import { parseDockerignore } from '../src/image-build/dockerignore.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env['RUNS'] ?? 5);
const REBUILDS = Number(process.env['REBUILDS'] ?? 3);
const FILES = Number(process.env['FILES'] ?? 10_000);
const BASE = process.env['SLIPWAY_TEST_DEBIAN_IMAGE'] ?? 'slipway/debian:bookworm';
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (text: string) => process.stderr.write(`${text}\n`);

/** A Node/Express app with FILES source files in nested directories, some reading env vars. */
function generateTree(dir: string): void {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'big',
        version: '1.0.0',
        scripts: { start: 'node src/index.js' },
        dependencies: { express: '^4.19.2', pg: '^8.11.5', ioredis: '^5.4.1' },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'big', lockfileVersion: 3, requires: true, packages: {} }),
  );
  for (let i = 0; i < FILES - 2; i++) {
    const sub = join(dir, 'src', `area${i % 20}`, `module${i % 500}`);
    mkdirSync(sub, { recursive: true });
    const env = i % 97 === 0 ? `const url = process.env.SERVICE_${i % 7}_URL;\n` : '';
    writeFileSync(join(sub, `file${i}.js`), `${env}export function f${i}(x) {\n  return x + ${i};\n}\n`);
  }
}

async function benchAnalysis(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-tree-'));
  try {
    generateTree(dir);
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const analysis = await analyzeSource(dir);
      times.push(performance.now() - started);
      summary =
        `${analysis.language}/${analysis.framework} ` +
        `services=${analysis.services.map((s) => s.name).join(',')} env=${analysis.env.length}`;
    }
    // The analyzer reads manifests, entry files and config/ only; the deploy path also walks the whole
    // tree once to assemble the build context (.dockerignore applied): time that too.
    const ignore = parseDockerignore(generateFiles(await analyzeSource(dir))['.dockerignore']!);
    const walks: number[] = [];
    let entries = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      entries = (await contextEntries(dir, ignore, new Set())).length;
      walks.push(performance.now() - started);
    }
    log(
      `analysis of ${FILES} files: median ${median(times).toFixed(1)} ms (${summary}); ` +
        `build-context walk median ${median(walks).toFixed(0)} ms (${entries} entries)`,
    );
    return {
      files: FILES,
      runs: RUNS,
      medianMs: Number(median(times).toFixed(1)),
      minMs: Number(Math.min(...times).toFixed(1)),
      result: summary,
      contextWalkMedianMs: Math.round(median(walks)),
      contextEntries: entries,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAIVE = `FROM ${BASE}
RUN apt-get update && apt-get install -y nodejs npm
WORKDIR /app
COPY . .
ENV NODE_EXTRA_CA_CERTS=/app/${CA_CERT_FILE}
RUN npm install
CMD ["node", "server.js"]
`;

function build(dir: string, tag: string): number {
  const started = performance.now();
  execFileSync('docker', ['build', '-q', '-t', tag, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - started;
}

async function benchImages(): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-images-'));
  const out: Record<string, unknown> = {};
  const nonce = Date.now().toString(36);
  try {
    for (const kind of ['generated', 'naive'] as const) {
      const dir = join(work, kind);
      cpSync(join(ROOT, 'test', 'fixtures', 'analyze', 'node-express-npm'), dir, {
        recursive: true,
        filter: (src) => !src.includes('__snapshots__'),
      });
      cpSync(HOST_CA, join(dir, CA_CERT_FILE));
      if (kind === 'generated') {
        const files = generateFiles(await analyzeSource(dir), {
          runtime: 'debian',
          baseImage: BASE,
          caCert: CA_CERT_FILE,
        });
        for (const name of ['Dockerfile', '.dockerignore']) writeFileSync(join(dir, name), files[name]!);
      } else writeFileSync(join(dir, 'Dockerfile'), NAIVE);
      // A fresh description each run, so the first build installs dependencies for real.
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, description: `bench ${nonce}` }, null, 2));
      const tag = `slipway-bench/analyze-${kind}:${nonce}`;
      const firstMs = build(dir, tag);
      const rebuilds: number[] = [];
      for (let i = 0; i < REBUILDS; i++) {
        appendFileSync(join(dir, 'server.js'), `// source change ${i}\n`);
        rebuilds.push(build(dir, tag));
      }
      const size = Number(
        execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', tag], { encoding: 'utf8' }).trim(),
      );
      log(
        `${kind}: image ${(size / 1e6).toFixed(0)} MB, first build ${(firstMs / 1000).toFixed(1)} s, ` +
          `source-only rebuild median ${(median(rebuilds) / 1000).toFixed(2)} s`,
      );
      out[kind] = {
        imageBytes: size,
        imageMB: Math.round(size / 1e6),
        firstBuildMs: Math.round(firstMs),
        sourceOnlyRebuildMs: rebuilds.map(Math.round),
        medianRebuildMs: Math.round(median(rebuilds)),
      };
      execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

const result = {
  bench: 'analyze',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  analysis: await benchAnalysis(),
  nodeFixtureImages: {
    fixture: 'test/fixtures/analyze/node-express-npm',
    base: BASE,
    runtime: 'debian',
    ...(await benchImages()),
  },
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'analyze.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
