import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { analyzeSource, generateFiles, parseSlipwayYml, type SlipwayYml } from '../../analyze/index.js';
import { CA_CERT_FILE, readCaCertFile, resolveBuildOptions, versionOverrides } from '../../analyze/build-options.js';
import { safeRelative } from '../../analyze/read-source.js';
import {
  lstatInside,
  mkdirInside,
  parentOf,
  readTextInside,
  resolveInside,
  statInside,
} from '../../image-build/safe-path.js';
import { MAX_SOURCE_FILE_BYTES } from '../../image-build/source-files.js';
import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import type { CommandRuns } from '../command.js';

/** The `build` settings of the slipway.yml already there (kept by --force); a malformed one is ignored (replaced). */
async function existingSlipwayYml(appDir: string): Promise<SlipwayYml | undefined> {
  try {
    const text = await readTextInside(appDir, 'slipway.yml', { maxBytes: MAX_SOURCE_FILE_BYTES, what: appDir });
    return text === undefined ? undefined : parseSlipwayYml(text);
  } catch {
    return undefined;
  }
}

/**
 * All or nothing: every file goes to a temporary name first (created exclusively: never through a
 * link), then each is renamed into place (a link at the name is replaced, not followed).
 */
async function writeAll(dir: string, files: Record<string, string>): Promise<void> {
  const suffix = `.slipway-${randomBytes(3).toString('hex')}.tmp`;
  const names = Object.keys(files);
  try {
    for (const name of names) {
      // A support file in a directory (slipway-php/…): the directory is made inside DIR, never through a link.
      if (parentOf(name) !== '') await mkdirInside(dir, parentOf(name), { what: dir });
      const mode = /^#!/.test(files[name]!) ? 0o755 : 0o644;
      await writeFile(join(dir, name + suffix), files[name]!, { flag: 'wx', mode });
    }
  } catch (cause) {
    await Promise.all(names.map((n) => rm(join(dir, n + suffix), { force: true })));
    throw new SlipwayError('INVALID_INPUT', `cannot write into ${dir}: ${(cause as Error).message}`, {
      cause,
      hint: 'check that the directory is writable',
    });
  }
  for (const name of names) await rename(join(dir, name + suffix), join(dir, name));
}

function composeName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'app'
  );
}

export const runs = {
  async init(ctx) {
    const root = resolve(ctx.args.positionals[0] ?? '.');
    const path = flag(ctx.args, 'path');
    const force = has(ctx.args, 'force');
    // The files go into the app directory itself: `--path` through a link is followed only inside DIR.
    const appDir = await resolveInside(root, safeRelative(path ?? '.'), { what: root });

    const files: Record<string, string> = {};
    const caFlag = flag(ctx.args, 'ca-cert');
    if (caFlag) files[CA_CERT_FILE] = await readCaCertFile(caFlag);
    const existing = await existingSlipwayYml(appDir);
    const runtime = flag(ctx.args, 'runtime');
    const baseImage = flag(ctx.args, 'base-image');
    const build = resolveBuildOptions(
      {
        ...(runtime ? { runtime } : {}),
        ...(baseImage ? { baseImage } : {}),
        ...(caFlag ? { caCertFile: CA_CERT_FILE } : {}),
      },
      existing,
    );
    if (build.caCert && !caFlag && !(await statInside(appDir, build.caCert, { what: appDir }))?.isFile()) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `slipway.yml build.caCert names ${build.caCert}, which is not in ${appDir}`,
        { hint: 'put the certificate there, or pass --ca-cert FILE' },
      );
    }
    // Analyzed for the runtime it will be built with: its version warnings are about that runtime.
    const analysis = await analyzeSource(root, {
      ...(path ? { path } : {}),
      env: versionOverrides(process.env),
      ...(build.runtime ? { runtime: build.runtime } : {}),
      ...(build.baseImage ? { baseImage: build.baseImage } : {}),
    });
    Object.assign(files, generateFiles(analysis, { ...build, appName: composeName(basename(appDir)) }));

    const conflicts: string[] = [];
    const unchanged: string[] = [];
    for (const [name, text] of Object.entries(files)) {
      // A link at one of these names is a conflict (it is replaced, never written through or read).
      const entry = await lstatInside(appDir, name, { what: appDir });
      if (!entry) continue;
      const current = entry.isFile()
        ? await readTextInside(appDir, name, { maxBytes: MAX_SOURCE_FILE_BYTES, skipLarger: true, what: appDir })
        : undefined;
      (current === text ? unchanged : conflicts).push(name);
    }
    if (conflicts.length > 0 && !force) {
      throw new SlipwayError('INVALID_INPUT', `${appDir} already has ${conflicts.join(', ')}; nothing was written`, {
        hint: 'pass --force to replace them (review with `git diff` afterwards), or move them away first',
        details: { files: conflicts },
      });
    }
    await writeAll(appDir, files);

    if (ctx.json) {
      ctx.output.out(
        JSON.stringify(
          { dir: appDir, written: Object.keys(files), replaced: conflicts, options: build, analysis },
          null,
          2,
        ),
      );
      return;
    }
    const what = [analysis.language, analysis.framework].filter(Boolean).join(' / ');
    ctx.output.out(
      `${what} app (runtime: ${build.runtime}` +
        (build.baseImage ? `, base image ${build.baseImage}` : '') +
        (build.caCert ? `, extra CA ${build.caCert}` : '') +
        ')',
    );
    for (const name of Object.keys(files))
      ctx.output.out(
        `  ${conflicts.includes(name) ? 'replaced ' : unchanged.includes(name) ? 'unchanged' : 'wrote    '} ` +
          join(appDir, name),
      );
    for (const warning of analysis.warnings) ctx.output.err(`warning: ${warning}`);
    ctx.output.out(
      'next: review the files, then `slipway deploy -a APP` (`slipway analyze` explains every conclusion)',
    );
  },
} satisfies CommandRuns;
