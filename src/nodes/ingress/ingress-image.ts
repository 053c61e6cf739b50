import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SlipwayError } from '../../core/errors.js';
import type { ContainerEngine } from '../../engine/port.js';
import { packEntries } from '../../image-build/build-context.js';

/**
 * Slipway's ingress image: HAProxy (Debian's 2.6, as on the manager) and the ingress agent, bundled with
 * its imports into one file. Built on the manager from a base image the user chooses; named by the hash of
 * what goes in, so it is built once per Slipway version and base.
 */
export const INGRESS_REPOSITORY = 'slipway/ingress';

export function ingressDockerfile(): string {
  return [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    // Nothing to install when the base has both (a host that reaches no package mirror brings such a base).
    'RUN if command -v haproxy >/dev/null && command -v node >/dev/null; then echo "haproxy and node present"; \\',
    '    else apt-get update && DEBIAN_FRONTEND=noninteractive \\',
    '    apt-get install -y --no-install-recommends haproxy nodejs ca-certificates \\',
    '    && rm -rf /var/lib/apt/lists/*; fi',
    'COPY agent.mjs /opt/slipway-ingress/agent.mjs',
    'STOPSIGNAL SIGTERM',
    'CMD ["node", "/opt/slipway-ingress/agent.mjs"]',
    '',
  ].join('\n');
}

/** The agent and everything it imports, as one ES module for Node 18 or later (Debian's nodejs). */
export async function bundleAgent(): Promise<string> {
  const { build } = await import('esbuild');
  // The same file type as this module: `.ts` when run from source, `.js` from the compiled tree.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const entry = fileURLToPath(new URL(`../../router/ingress/agent-main.${ext}`, import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // CommonJS dependencies bundled into an ES module still call require() for Node's own modules.
    banner: {
      js:
        "import { createRequire as __slipwayRequire } from 'node:module'; " +
        'const require = __slipwayRequire(import.meta.url);',
    },
  });
  const file = out.outputFiles[0];
  if (!file) throw new SlipwayError('INTERNAL', 'bundling the ingress agent produced no file');
  return file.text;
}

export function ingressTag(baseImage: string, agent: string): string {
  const hash = createHash('sha256')
    .update(baseImage)
    .update('\0')
    .update(ingressDockerfile())
    .update('\0')
    .update(agent);
  return `${INGRESS_REPOSITORY}:${hash.digest('hex').slice(0, 16)}`;
}

/** Builds the image on the manager unless it has it; returns its tag. */
export async function ensureIngressImage(
  engine: ContainerEngine,
  baseImage: string,
  onOutput?: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const agent = await bundleAgent();
  const tag = ingressTag(baseImage, agent);
  if (await engine.inspectImage(tag, signal)) return tag;
  const context = packEntries(tmpdir(), [], {
    extra: [
      { path: 'Dockerfile', data: Buffer.from(ingressDockerfile()) },
      { path: 'agent.mjs', data: Buffer.from(agent) },
    ],
  });
  try {
    await engine.buildImage({
      context,
      tag,
      buildArgs: { BASE_IMAGE: baseImage },
      ...(signal ? { signal } : {}),
      ...(onOutput ? { onOutput } : {}),
    });
  } catch (err) {
    throw new SlipwayError('BUILD_FAILED', `the ingress image could not be built from ${baseImage}`, {
      hint:
        'the base needs apt-get and a reachable Debian mirror, or haproxy and node already installed: ' +
        'set SLIPWAY_INGRESS_BASE_IMAGE to such an image',
      cause: err,
      ...(err instanceof SlipwayError && err.details ? { details: err.details } : {}),
    });
  }
  return tag;
}
