import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import type { AppFiles } from '../read-source.js';
import { assertManifestSize, formatIssues, invalidManifest } from '../text.js';

/** One dependency declared by a Python manifest. */
export interface PythonRequirement {
  /** PEP 503-normalized name; undefined for an unnamed local path or URL. */
  name?: string;
  /** Local directory or archive (relative to the app directory). */
  path?: string;
  /** The version constraint as written (`>=6.0,<6.1`, `^2.0`), markers after `;` included; absent = any. */
  spec?: string;
  file: string;
  line?: number;
}

export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/;
const IGNORED_OPTIONS = new RegExp(
  '^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|--prefer-binary|' +
    '--pre|--require-hashes|--no-index|--use-feature|-c|--constraint)\\b',
);

/**
 * Parses a pip requirements file (and the files it includes with `-r`). Comments, blank lines,
 * continuation lines, index options, editable and local-path lines are understood; anything else
 * that is not a PEP 508 requirement is an error naming the line.
 */
export async function parseRequirements(
  files: AppFiles,
  rel: string,
  seen = new Set<string>(),
): Promise<{ requirements: PythonRequirement[]; files: string[] }> {
  const text = await files.read(rel);
  const file = files.display(rel);
  if (text === undefined) throw invalidManifest(file, 'file not found (included with -r)');
  seen.add(rel);
  const requirements: PythonRequirement[] = [];
  const included = [rel];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i] ?? '';
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] ?? '');
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(-r|--requirement)(?:\s+|=)(\S+)$/.exec(line);
    if (include) {
      const target = joinRel(rel, include[2] as string);
      if (!seen.has(target)) {
        const nested = await parseRequirements(files, target, seen);
        requirements.push(...nested.requirements);
        included.push(...nested.files);
      }
      continue;
    }
    if (IGNORED_OPTIONS.test(line)) continue;
    const editable = /^(-e|--editable)(?:\s+|=)(\S+)$/.exec(line);
    const target = editable ? (editable[2] as string) : line;
    if (isLocalPath(target)) {
      requirements.push({
        path: target
          .replace(/^file:/, '')
          .replace(/^\.\//, '')
          .replace(/\/$/, ''),
        file,
        line: lineNo,
      });
      continue;
    }
    if (/^[a-z+]+:\/\//i.test(target)) {
      const egg = /#egg=([A-Za-z0-9._-]+)/.exec(target);
      requirements.push({ ...(egg ? { name: normalizePythonName(egg[1] as string) } : {}), file, line: lineNo });
      continue;
    }
    const m = NAME.exec(target);
    const rest = m?.[3] ?? '';
    if (!m || (rest !== '' && !/^[<>=!~;@(,]/.test(rest))) {
      throw invalidManifest(file, `not a requirement: ${JSON.stringify(line)}`, {
        line: lineNo,
        hint:
          'use PEP 508 lines such as "flask>=3.0", ' +
          'a local path such as "./vendor/mylib", or pip options such as "-r base.txt"',
      });
    }
    const at = /^@\s*(\S+)/.exec(rest);
    requirements.push({
      name: normalizePythonName(m[1] as string),
      ...(at && isLocalPath(at[1] as string) ? { path: (at[1] as string).replace(/^file:(\/\/)?/, '') } : {}),
      ...(rest.trim() !== '' && !at ? { spec: rest.trim() } : {}),
      file,
      line: lineNo,
    });
  }
  return { requirements, files: included };
}

function isLocalPath(s: string): boolean {
  return /^(\.{1,2}\/|\/|file:)/.test(s);
}

function joinRel(from: string, target: string): string {
  const slash = from.lastIndexOf('/');
  const base = slash === -1 ? '' : from.slice(0, slash + 1);
  return `${base}${target}`.replace(/^\.\//, '');
}

/** Name of a PEP 508 requirement string (`requests[socks]>=2; python_version<"3.8"` → `requests`). */
export function pep508Name(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return m ? normalizePythonName(m[1] as string) : undefined;
}

/** The version constraint of a PEP 508 requirement string (`django[argon2]>=5,<6` → `>=5,<6`), if any. */
export function pep508Spec(spec: string): string | undefined {
  const rest = /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(spec)?.[1]?.trim() ?? '';
  return rest === '' || rest.startsWith('@') ? undefined : rest;
}

/** Parses TOML, turning a syntax error into INVALID_INPUT with the file and line. */
export function parseTomlManifest(file: string, text: string): Record<string, unknown> {
  assertManifestSize(file, text);
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const line = err instanceof TomlError ? err.line : undefined;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalidManifest(file, `not valid TOML (${message})`, { line, cause: err });
  }
}

const dependencyTable = z.record(z.string(), z.unknown());

export const pyprojectSchema = z.looseObject({
  project: z
    .looseObject({
      name: z.string().optional(),
      'requires-python': z.string().optional(),
      dependencies: z.array(z.string()).optional(),
    })
    .optional(),
  tool: z
    .looseObject({
      poetry: z
        .looseObject({
          dependencies: dependencyTable.optional(),
        })
        .optional(),
    })
    .optional(),
});

export const pipfileSchema = z.looseObject({
  packages: dependencyTable.optional(),
  requires: z
    .looseObject({ python_version: z.string().optional(), python_full_version: z.string().optional() })
    .optional(),
});

export function validateToml<T>(file: string, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw invalidManifest(file, formatIssues(parsed.error.issues));
  return parsed.data;
}
