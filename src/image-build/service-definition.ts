import { parseSlipwayYml, type SlipwayYml } from '../analyze/slipway-yml.js';
import type { AppSettings } from '../core/types.js';
import { parseProcfile, procfileProcesses } from '../config/procfile.js';
import { readSourceFile } from './source-files.js';

/**
 * What the source says about how to run it, from the Procfile and slipway.yml.
 *
 * Precedence, per part: the Procfile's process types (when there is a Procfile) > slipway.yml
 * `processes` > detected defaults (source analysis) > the image's CMD as `web`. The release command:
 * Procfile `release:` > slipway.yml `release` > detected (e.g. Rails migrations). The Procfile wins
 * because it is the long-standing convention other tools read too, and `slipway init` copies it into
 * slipway.yml anyway; slipway.yml alone also sets the port and the health check.
 */
export interface ServiceDefinition {
  procfile: Record<string, string> | null;
  settings?: Partial<AppSettings>;
}

export function chooseProcfile(sources: {
  procfile?: Record<string, string>;
  yml?: SlipwayYml;
  detected?: Record<string, string>;
}): Record<string, string> | null {
  const { procfile, yml, detected } = sources;
  const withoutRelease = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'release'));
  let processes: Record<string, string> | undefined;
  if (procfile) {
    processes = withoutRelease(procfile);
    // A Procfile without `web` keeps the detected web command (source analysis fills it in).
    if (!processes['web'] && detected?.['web']) processes = { web: detected['web'], ...processes };
  } else processes = yml ? withoutRelease(yml.processes) : detected ? withoutRelease(detected) : undefined;
  const release = procfile?.['release'] ?? yml?.release ?? yml?.processes['release'] ?? detected?.['release'];
  if (!processes && !release) return null;
  return { ...(processes ?? {}), ...(release ? { release } : {}) };
}

/** App settings slipway.yml asks for: the port and, when given, the health check. */
export function settingsFromSlipwayYml(yml: SlipwayYml): Partial<AppSettings> {
  return {
    port: yml.port,
    ...(yml.healthcheck
      ? {
          healthcheck: {
            // '' = TCP: `path: undefined` replaces a path the app had (merged over its settings).
            path: yml.healthcheck.path === '' ? undefined : yml.healthcheck.path,
            attempts: yml.healthcheck.attempts,
            intervalMs: yml.healthcheck.intervalMs,
            timeoutMs: yml.healthcheck.timeoutMs,
          },
        }
      : {}),
  };
}

/** Procfile + slipway.yml at the root of an extracted upload (the Dockerfile strategy); both validated. */
export async function readServiceDefinition(srcDir: string, files: Set<string>): Promise<ServiceDefinition> {
  const procfile = files.has('Procfile')
    ? procfileProcesses(parseProcfile(await readSourceFile(srcDir, 'Procfile')))
    : undefined;
  const yml = files.has('slipway.yml') ? parseSlipwayYml(await readSourceFile(srcDir, 'slipway.yml')) : undefined;
  return {
    procfile: chooseProcfile({ ...(procfile ? { procfile } : {}), ...(yml ? { yml } : {}) }),
    ...(yml ? { settings: settingsFromSlipwayYml(yml) } : {}),
  };
}
