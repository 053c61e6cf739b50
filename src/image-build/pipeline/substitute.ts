/**
 * `${VAR}` substitution in build.yml values (pure). `${VAR:-default}` uses the default when VAR is
 * unset or empty; `$${` is a literal `${`. A bare `$VAR` is left as is (Dockerfiles use it themselves).
 */

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export class SubstitutionError extends Error {
  constructor(
    readonly path: string,
    readonly variable: string,
  ) {
    super(`${path === '' ? '' : `${path}: `}\${${variable}} is not set`);
  }
}

/** Variable names a text refers to (for the CLI to send only those from its environment). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(REFERENCE)) if (match[1]) names.add(match[1]);
  return [...names].sort();
}

export function substituteText(text: string, vars: Record<string, string>, path = ''): string {
  return text.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (!name) return '${';
    const value = vars[name];
    if (value !== undefined && (value !== '' || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    throw new SubstitutionError(path, name);
  });
}

function dotted(path: (string | number)[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Substitutes every string value (not keys) of a parsed YAML document; errors name the dotted path. */
export function substituteValues(
  value: unknown,
  vars: Record<string, string>,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return substituteText(value, vars, dotted(path));
  if (Array.isArray(value)) return value.map((v, i) => substituteValues(v, vars, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteValues(v, vars, [...path, k])]));
  }
  return value;
}
