import net from 'node:net';
import { SHOW_INFO_COMMAND, parseShowInfo } from './runtime-commands.js';
import { sendSocketCommand } from './runtime-client.js';
import { ACCESS_LOG_RING, acceptAccessLogLine, accessLogKey, type AccessLogLine } from './access-log.js';

export interface AccessLogReaderOptions {
  /** How often the reader checks which worker the runtime socket reaches (default 1 s). */
  pollMs?: number;
  /** How long a replaced worker is still read after a reload: requests it finishes meanwhile (default 3 s). */
  drainMs?: number;
  /** Keys of lines already stored (a previous server's): not handed on again when a ring is read from its start. */
  seen?: string[];
  /**
   * After each chunk the reader stops reading for this long (default 200 ms), so lines arrive in big
   * chunks: HAProxy's CLI session batches them while the socket is full, and this process handles one
   * chunk of hundreds of lines instead of a wake-up per request. The ring (~10,000 lines) holds far
   * more than a pause's worth of requests.
   */
  batchMs?: number;
}

/** Keys remembered against reading a line twice: more than a ring holds (1 MiB of lines of 100 bytes or more). */
const SEEN_KEYS = 20_000;

interface Session {
  socket: net.Socket;
  /** Set when the runtime socket reaches another worker: this one is read a little longer, then closed. */
  closeAt?: number;
}

/**
 * Follows HAProxy's access log ring through the runtime socket (`show events slipway_access -w`).
 * Each worker has its own ring: every `pollMs` the reader asks which worker answers, and reads that
 * one's ring from its start; a worker replaced by a reload is read `drainMs` longer (the requests it
 * finishes), then let go — a session left open would keep the old worker alive. HAProxy closes a
 * session that saw no line for its CLI timeout (30 s): it is opened again and the ring read again;
 * lines are keyed by worker pid and request counter, so none is handed on twice. Writers never wait
 * for this reader: if it falls a whole ring behind, the oldest lines are lost.
 */
export class AccessLogReader {
  private readonly sessions = new Map<number, Session>();
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Lines handed on, and lines that were not a request of an app (HAProxy's own notices). */
  lines = 0;
  ignored = 0;

  constructor(
    private readonly socketPath: string,
    private readonly onLine: (line: AccessLogLine) => void,
    private readonly opts: AccessLogReaderOptions = {},
  ) {
    for (const key of opts.seen ?? []) this.remember(key);
  }

  /** Starts following; the first check runs now (before HAProxy is reloaded, it reads the running worker). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const session of this.sessions.values()) session.socket.destroy();
    this.sessions.clear();
  }

  private async tick(): Promise<void> {
    try {
      const info = parseShowInfo(await sendSocketCommand(this.socketPath, SHOW_INFO_COMMAND, { timeoutMs: 2_000 }));
      const pid = Number(info['Pid']);
      if (!this.stopped && Number.isInteger(pid) && pid > 0 && !this.sessions.has(pid)) this.open(pid);
      const now = Date.now();
      for (const [other, session] of this.sessions) {
        if (other === pid) continue;
        session.closeAt ??= now + (this.opts.drainMs ?? 3_000);
        if (session.closeAt <= now) session.socket.destroy();
      }
    } catch {
      // HAProxy is down or reloading: look again at the next tick
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.opts.pollMs ?? 1_000).unref();
  }

  private open(pid: number): void {
    const socket = net.connect(this.socketPath);
    const session: Session = { socket };
    this.sessions.set(pid, session);
    let rest = '';
    let paused = false;
    const batchMs = this.opts.batchMs ?? 200;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`show events ${ACCESS_LOG_RING} -w\n`));
    socket.on('data', (chunk: string) => {
      const text = rest + chunk;
      const end = text.lastIndexOf('\n');
      rest = text.slice(end + 1);
      if (end >= 0) for (const line of text.slice(0, end).split('\n')) this.take(line);
      if (batchMs > 0 && !paused) {
        paused = true;
        socket.pause();
        setTimeout(() => {
          paused = false;
          socket.resume();
        }, batchMs).unref();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.sessions.get(pid) === session) this.sessions.delete(pid);
    });
  }

  private take(text: string): void {
    const line = acceptAccessLogLine(text);
    if (!line) {
      if (text !== '') this.ignored++;
      return;
    }
    const key = accessLogKey(line.fields);
    if (this.seen.has(key)) return;
    this.remember(key);
    this.lines++;
    this.onLine(line);
  }

  private remember(key: string): void {
    this.seen.add(key);
    this.order.push(key);
    if (this.order.length > SEEN_KEYS * 1.5)
      for (const old of this.order.splice(0, SEEN_KEYS / 2)) this.seen.delete(old);
  }
}
