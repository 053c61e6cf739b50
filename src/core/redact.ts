/** Replaces every secret value (config values, build secrets) in text with a marker naming its key. */
export function makeRedactor(secrets: Record<string, string>): (text: string) => string {
  const pairs = Object.entries(secrets)
    .filter(([, value]) => value.length >= 4)
    .sort((a, b) => b[1].length - a[1].length);
  if (pairs.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const [key, value] of pairs) out = out.split(value).join(`[${key}]`);
    return out;
  };
}

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)])) as T;
  }
  return value;
}
