/** Typed events emitted by builds and deployments; rendered by the CLI, streamed by the server, kept in the store. */

export type StageName =
  'build' | 'release' | 'start' | 'probe' | 'route' | 'healthy' | 'drain' | 'stop' | 'revert' | 'deploy' | 'move';

export type SlipwayEvent =
  | { type: 'stage-start'; stage: StageName; label: string; at: string }
  | { type: 'stage-end'; stage: StageName; label: string; at: string; ms: number; ok: boolean; note?: string }
  | { type: 'output'; source: 'build' | 'release'; text: string; at: string }
  | { type: 'info'; text: string; at: string };

export type EventSink = (event: SlipwayEvent) => void;

/** Times a stage and emits start/end events around it. */
export async function stage<T>(
  emit: EventSink,
  name: StageName,
  label: string,
  fn: () => Promise<T>,
  note?: (value: T) => string | undefined,
): Promise<T> {
  const started = Date.now();
  emit({ type: 'stage-start', stage: name, label, at: new Date(started).toISOString() });
  try {
    const value = await fn();
    emit({
      type: 'stage-end',
      stage: name,
      label,
      at: new Date().toISOString(),
      ms: Date.now() - started,
      ok: true,
      note: note?.(value),
    });
    return value;
  } catch (err) {
    emit({
      type: 'stage-end',
      stage: name,
      label,
      at: new Date().toISOString(),
      ms: Date.now() - started,
      ok: false,
      note: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
}
