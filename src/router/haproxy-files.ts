import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { renderHaproxyConfig, renderHostsMap, type HaproxyConfigInput, type HaproxyPaths } from './haproxy-config.js';
import { certBundles, certFile, renderCrtList } from './tls-files.js';
import { pageFiles, renderMaintenanceMap } from './maintenance.js';

export const SETUP_HINT = 'install HAProxy 2.6 or newer: run `slipway setup` (or `apt-get install haproxy`)';

export interface RenderedFiles {
  config: string;
  hostsMap: string;
  crtList: string;
  maintenanceMap: string;
}

export function renderFiles(input: HaproxyConfigInput, certsDir: string, certSuffix = ''): RenderedFiles {
  const crtList = renderCrtList(input.routes, (app) => `${certFile(certsDir, app)}${certSuffix}`);
  return {
    config: renderHaproxyConfig(input),
    hostsMap: renderHostsMap(input.routes),
    crtList,
    maintenanceMap: renderMaintenanceMap(input.routes),
  };
}

/** Runs a binary, resolving with exit code and output (never rejects for a non-zero exit). */
export function runBinary(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const errno = err as NodeJS.ErrnoException | null;
      if (errno?.code === 'ENOENT' || errno?.code === 'EACCES') {
        reject(
          new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy not found at ${bin}`, { hint: SETUP_HINT, cause: err }),
        );
        return;
      }
      const code = err ? (typeof errno?.code === 'number' ? errno.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Fails with HAPROXY_UNAVAILABLE when the binary is missing or does not run. */
export async function haproxyVersion(bin: string): Promise<string> {
  const { code, stdout } = await runBinary(bin, ['-v'], 10_000);
  const match = /HAProxy version (\S+)/.exec(stdout);
  if (code !== 0 || !match?.[1]) {
    throw new SlipwayError('HAPROXY_UNAVAILABLE', `${bin} -v did not report an HAProxy version`, { hint: SETUP_HINT });
  }
  return match[1];
}

/**
 * Writes config, hosts map, maintenance map and pages, crt-list and certificates so that a running
 * HAProxy never sees an invalid set: all are written next to the live files, the candidate is checked
 * with `haproxy -c`, and only then renamed into place (certificates first). On an invalid config nothing live changes
 * and INVALID_INPUT is thrown with HAProxy's complaint. Certificate files of apps without one are removed.
 */
export async function writeValidatedFiles(
  bin: string,
  paths: HaproxyPaths,
  input: Omit<HaproxyConfigInput, 'paths'>,
): Promise<RenderedFiles> {
  const live = renderFiles({ ...input, paths }, paths.certsDir);
  const candidateMap = `${paths.hostsMap}.next`;
  const candidateList = `${paths.crtList}.next`;
  const candidateMaintenance = `${paths.maintenanceMap}.next`;
  const candidateConfig = `${paths.config}.next`;
  const candidate = renderFiles(
    {
      ...input,
      paths: { ...paths, hostsMap: candidateMap, crtList: candidateList, maintenanceMap: candidateMaintenance },
    },
    paths.certsDir,
    '.next',
  );
  const certs = input.https ? certBundles(input.routes, paths.certsDir) : [];
  const temporary = [
    candidateConfig,
    candidateMap,
    candidateList,
    candidateMaintenance,
    ...certs.map((cert) => `${cert.file}.next`),
  ];
  // Maintenance pages are named by their content: writing one never changes a file the live config uses.
  const pages = pageFiles(input.routes, paths.maintenanceDir);
  try {
    if (input.https) {
      await mkdir(paths.certsDir, { recursive: true, mode: 0o700 });
      for (const cert of certs) await writeFile(`${cert.file}.next`, cert.pem, { mode: 0o600 });
      await writeFile(candidateList, candidate.crtList, { mode: 0o600 });
    }
    await writeFile(candidateMap, candidate.hostsMap, { mode: 0o600 });
    await writeFile(candidateMaintenance, candidate.maintenanceMap, { mode: 0o600 });
    await mkdir(paths.maintenanceDir, { recursive: true, mode: 0o700 });
    for (const [file, html] of pages) await writeFile(file, html, { mode: 0o600 });
    await writeFile(candidateConfig, candidate.config, { mode: 0o600 });
    const { code, stdout, stderr } = await runBinary(bin, ['-c', '-f', candidateConfig], 30_000);
    if (code !== 0) {
      throw new SlipwayError(
        'INVALID_INPUT',
        'HAProxy rejected the generated configuration; the running one was kept',
        {
          hint: "check the HTTP bind address, domain and health check paths against HAProxy's complaint in the details",
          details: { output: alerts(`${stdout}${stderr}`) },
        },
      );
    }
    await writeFile(`${paths.config}.tmp`, live.config, { mode: 0o600 });
    if (input.https) {
      for (const cert of certs) await rename(`${cert.file}.next`, cert.file);
      await writeFile(`${paths.crtList}.tmp`, live.crtList, { mode: 0o600 });
      await rename(`${paths.crtList}.tmp`, paths.crtList);
      await removeStale(paths.certsDir, '.pem', new Set(certs.map((cert) => cert.file)));
    }
    await rename(candidateMap, paths.hostsMap);
    await rename(candidateMaintenance, paths.maintenanceMap);
    await removeStale(paths.maintenanceDir, '.html', new Set(pages.keys()));
    await rename(`${paths.config}.tmp`, paths.config);
    return live;
  } finally {
    await Promise.all(temporary.map((file) => rm(file, { force: true })));
  }
}

/** Removes the files ending in `suffix` in `dir` that are not in `keep` (certificates, pages of apps without one). */
async function removeStale(dir: string, suffix: string, keep: Set<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(suffix) && !keep.has(file)) await rm(file, { force: true });
  }
}

/** HAProxy's ALERT/WARNING lines (or the last lines when there are none). */
function alerts(output: string): string {
  const all = output.trim().split('\n');
  const important = all.filter((line) => /ALERT|WARNING/.test(line));
  return (important.length > 0 ? important : all).slice(-20).join('\n');
}
