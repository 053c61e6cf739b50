import type { SlipwayEvent } from '../core/events.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const consoleOutput: Output = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** Renders deploy/build events as progress lines with timings. */
export function progressRenderer(output: Output, verbose = true): (event: SlipwayEvent) => void {
  const started = Date.now();
  const clock = () => `[${seconds(Date.now() - started).padStart(7)}]`;
  return (event) => {
    switch (event.type) {
      case 'stage-start':
        output.err(`${clock()} ▸ ${event.label}`);
        break;
      case 'stage-end':
        output.err(
          `${clock()} ${event.ok ? '✓' : '✗'} ${event.label} (${seconds(event.ms)})` +
            (event.note ? ` — ${event.note}` : ''),
        );
        break;
      case 'output':
        if (verbose) output.err(`           ${event.source === 'build' ? '│' : '»'} ${event.text}`);
        break;
      case 'info':
        output.err(`${clock()}   ${event.text}`);
        break;
    }
  };
}

/** A plain text table with a header row. */
export function table(rows: Record<string, unknown>[], columns: { key: string; title: string }[]): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c.key])));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title.toUpperCase())), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}
