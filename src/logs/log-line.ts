import type { LogLine } from '../engine/port.js';
import { LABELS, dynoName } from '../core/types.js';

export interface AppLogLine {
  time: string;
  /** e.g. `web.1` */
  dyno: string;
  release: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** A container whose lines are read: its id and labels (from a listing or an engine event). */
export interface LogSource {
  id: string;
  labels: Record<string, string>;
}

export function tagLine(source: LogSource, line: LogLine, redact: (text: string) => string): AppLogLine {
  return {
    time: line.time,
    dyno: dynoName(source.labels),
    release: source.labels[LABELS.release] ?? '?',
    stream: line.stream,
    text: redact(line.text),
  };
}

/** Rough memory of one line: its text plus the tags and object around it (for queue limits). */
export function lineBytes(line: { text: string }): number {
  return line.text.length + 128;
}
