/**
 * POSIX shell single quoting: inside '…' every byte is literal (no `$`, backtick, backslash or
 * history expansion), and a `'` is written as `'\''` (close, an escaped quote, reopen). So
 * `KEY='value'` lines are safe to `eval` in sh, bash, dash and zsh whatever the value holds —
 * newlines included. (Config values never contain NUL: the server refuses them.)
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `KEY='value'` lines, sorted by key (keys are validated names: letters, digits, `_`). */
export function shellAssignments(config: Record<string, string>): string[] {
  return Object.keys(config)
    .sort()
    .map((key) => `${key}=${shellQuote(config[key]!)}`);
}
