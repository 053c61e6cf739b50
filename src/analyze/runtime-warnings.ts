import { officialImage, RUNTIMES, type RuntimeName } from './runtime-images.js';
import type { RuntimeVersion } from './types.js';
import { compareVersions, normalizeVersion, satisfiesRange, versionStartsWith, where } from './versions.js';

/**
 * Warnings about the runtime an image will have, for the chosen runtime (`official`, `debian`), or
 * for both when it is not known yet (`slipway analyze`): each says what is wrong and what to do.
 * A custom base image replaces the official image (Slipway cannot know what it holds: not checked);
 * with `debian` the language still comes from Debian's packages, so those warnings stay.
 */
export function runtimeWarnings(v: RuntimeVersion, runtime?: 'official' | 'debian', baseImage?: string): string[] {
  if (v.runtime === 'none') return [];
  const out = [...(v.notes ?? [])];
  if (runtime !== 'debian' && !baseImage) {
    if (v.officialNote) out.push(v.officialNote);
    if (v.minimum && compareVersions(v.version, v.minimum.version) < 0)
      out.push(
        `${v.minimum.reason} (${where(v.minimum)}), but ${v.runtime} ${v.version} is used ` +
          `(${where(v) || v.reason}); ask for ${v.minimum.version} or newer`,
      );
  }
  if (runtime !== 'official') {
    const problem = debianVersionWarning(v);
    if (problem) out.push(runtime === undefined ? `with --runtime debian: ${problem}` : problem);
  }
  return out;
}

/** A warning when Debian bookworm's packaged runtime does not satisfy what the app asks for or needs. */
export function debianVersionWarning(v: RuntimeVersion): string | undefined {
  if (v.runtime === 'none') return undefined;
  const facts = RUNTIMES[v.runtime];
  const hint = (wanted: string) =>
    `use --runtime official (${officialImage(v.runtime as RuntimeName, wanted)}) or --base-image with ` +
    `${v.runtime} ${wanted}`;
  const installs = `runtime "debian" installs Debian bookworm's ${v.runtime} ${facts.debianVersion}`;
  if (v.minimum && compareVersions(facts.debianVersion, v.minimum.version) < 0)
    return `${installs}, but ${v.minimum.reason} (${where(v.minimum)}); ${hint(v.version)}`;
  if (v.source === 'default' || v.requested === null) return undefined;
  const written = v.requested.trim();
  const requested = normalizeVersion(written.startsWith('lts/') ? v.version : written);
  const exact = /^\d+(\.\d+){0,2}$/.test(requested);
  const ok = exact ? versionStartsWith(facts.debianVersion, requested) : satisfiesRange(facts.debianVersion, requested);
  if (ok) return undefined;
  return `${installs}, but ${where(v) || v.reason} asks for ${v.requested}; ${hint(v.version)}`;
}
