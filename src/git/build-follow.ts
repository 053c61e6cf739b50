import type { SlipwayEvent } from '../core/events.js';
import type { SlipwayError } from '../core/errors.js';

/** The end of a followed build: its deploy's outcome or its error. */
export type FollowEnd = { ok: true; result: unknown } | { ok: false; error: SlipwayError };

interface Followed {
  app: string;
  events: SlipwayEvent[];
  end?: FollowEnd;
  listeners: Set<(item: { event?: SlipwayEvent; end?: FollowEnd }) => void>;
}

const MAX_EVENTS = 20_000;
const KEEP_FINISHED_MS = 15 * 60_000;

/**
 * Events of builds started by git push, kept in memory while they run (and a while after), so a pusher who
 * pressed Ctrl-C can follow the rest with `builds:attach`. Older builds are read from their stored record.
 */
export class BuildFollowers {
  private readonly builds = new Map<string, Followed>();

  begin(app: string, id: string): void {
    this.builds.set(id, { app, events: [], listeners: new Set() });
  }

  event(id: string, event: SlipwayEvent): void {
    const b = this.builds.get(id);
    if (!b || b.end) return;
    if (b.events.length < MAX_EVENTS) b.events.push(event);
    for (const l of b.listeners) l({ event });
  }

  finish(id: string, end: FollowEnd): void {
    const b = this.builds.get(id);
    if (!b || b.end) return;
    b.end = end;
    for (const l of b.listeners) l({ end });
    b.listeners.clear();
    setTimeout(() => this.builds.delete(id), KEEP_FINISHED_MS).unref();
  }

  /** Whether `id` of `app` is followed here (running, or finished a short while ago). */
  has(app: string, id: string): boolean {
    return this.builds.get(id)?.app === app;
  }

  /**
   * Replays the events so far, then calls `on` with each new one, and with the end; returns an unsubscribe.
   */
  follow(id: string, on: (item: { event?: SlipwayEvent; end?: FollowEnd }) => void): () => void {
    const b = this.builds.get(id);
    if (!b) return () => undefined;
    for (const event of b.events) on({ event });
    if (b.end) {
      on({ end: b.end });
      return () => undefined;
    }
    b.listeners.add(on);
    return () => b.listeners.delete(on);
  }
}
