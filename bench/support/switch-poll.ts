/** Pollers through the router that tell when all traffic reached a release (deploy, rollback, Swarm benches). */
import { get, type Harness } from '../../test/e2e/harness.js';

export interface SwitchPoll {
  /** When the first request was sent after which every request got the new release; undefined when none yet. */
  firstAllNew(): number | undefined;
  /** Stops every poller and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * `pollers` clients loop GETs through the router, `gapMs` apart. A sample counts at the time its request
 * was SENT, so the app's own response time is not added to the switch time.
 */
export function pollForSwitch(
  h: Harness,
  app: string,
  isNew: (body: string) => boolean,
  opts: { pollers?: number; gapMs?: number } = {},
): SwitchPoll {
  let polling = true;
  const samples: { sentAt: number; ok: boolean }[] = [];
  const poll = async () => {
    while (polling) {
      const sentAt = Date.now();
      const res = await get(h.httpPort, h.host(app)).catch(() => ({ status: 0, body: '' }));
      samples.push({ sentAt, ok: res.status === 200 && isNew(res.body) });
      await new Promise((r) => setTimeout(r, opts.gapMs ?? 5));
    }
  };
  const running = Promise.all(Array.from({ length: opts.pollers ?? 4 }, poll));
  return {
    firstAllNew() {
      const sorted = [...samples].sort((a, b) => a.sentAt - b.sentAt);
      const lastWrong = sorted.filter((s) => !s.ok).at(-1);
      return sorted.find((s) => s.ok && (!lastWrong || s.sentAt > lastWrong.sentAt))?.sentAt;
    },
    async stop() {
      polling = false;
      await running;
    },
  };
}
