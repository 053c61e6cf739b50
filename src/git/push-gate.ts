import net from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';

/** Who pushes to which app, registered before git runs; the hook proves it is this push with the secret. */
export interface PushRegistration {
  id: string;
  app: string;
  pusher: string;
  via: 'http' | 'ssh';
  repo: string;
}

/** What the hook sends: its stdin (the ref updates) and where git keeps the pushed objects meanwhile. */
export interface HookRequest {
  updates: string;
  objectDirectory: string;
  alternates: string;
  quarantine: string;
}

/** Lines for the pusher (git shows them as `remote:`), then the hook's exit code. */
export interface HookReply {
  line(text: string): void;
  exit(code: number): void;
}

export type PushHandler = (reg: PushRegistration, request: HookRequest, reply: HookReply) => Promise<void>;

const MAX_REQUEST = 1024 * 1024;
const REGISTRATION_TTL_MS = 2 * 60 * 60_000;

/**
 * The unix socket (in the state dir, mode 600) the pre-receive hook calls back on. Each push is registered
 * with a one-time id and secret that reach the hook only through git's environment.
 */
export class PushGate {
  private readonly pending = new Map<string, { reg: PushRegistration; secret: Buffer; timer: NodeJS.Timeout }>();
  private server: net.Server | undefined;

  constructor(
    readonly socketPath: string,
    private readonly handle: PushHandler,
  ) {}

  async start(): Promise<void> {
    await rm(this.socketPath, { force: true });
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    await chmod(this.socketPath, 0o600);
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
  }

  /** Registers a push; returns the environment git must run with (passed on to the hook). */
  register(reg: Omit<PushRegistration, 'id'>): { id: string; env: Record<string, string> } {
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32);
    const timer = setTimeout(() => this.pending.delete(id), REGISTRATION_TTL_MS);
    timer.unref();
    this.pending.set(id, { reg: { ...reg, id }, secret, timer });
    return {
      id,
      env: {
        SLIPWAY_PUSH_SOCKET: this.socketPath,
        SLIPWAY_PUSH_ID: id,
        SLIPWAY_PUSH_SECRET: secret.toString('hex'),
      },
    };
  }

  unregister(id: string): void {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private accept(socket: net.Socket): void {
    let buffered = '';
    let done = false;
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    const reply: HookReply = {
      line: (text) => {
        if (!socket.destroyed) socket.write(JSON.stringify({ line: text }) + '\n');
      },
      exit: (code) => {
        if (!socket.destroyed) socket.end(JSON.stringify({ exit: code }) + '\n');
      },
    };
    socket.on('data', (chunk: string) => {
      if (done) return;
      buffered += chunk;
      if (buffered.length > MAX_REQUEST) return void socket.destroy();
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      done = true;
      const found = this.claim(buffered.slice(0, end));
      if (!found) {
        reply.line('slipway: this push is not known to the server');
        return reply.exit(1);
      }
      this.handle(found.reg, found.request, reply).catch((err: unknown) => {
        reply.line(`slipway: ${err instanceof Error ? err.message : String(err)}`);
        reply.exit(1);
      });
    });
  }

  /** The registration the hook's first line names, with the right secret; each is used once. */
  private claim(line: string): { reg: PushRegistration; request: HookRequest } | undefined {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const p = typeof message['id'] === 'string' ? this.pending.get(message['id']) : undefined;
    const given = Buffer.from(typeof message['secret'] === 'string' ? message['secret'] : '', 'hex');
    if (!p || given.length !== p.secret.length || !timingSafeEqual(given, p.secret)) return undefined;
    this.unregister(p.reg.id);
    const text = (key: string) => (typeof message[key] === 'string' ? (message[key] as string) : '');
    return {
      reg: p.reg,
      request: {
        updates: text('updates'),
        objectDirectory: text('objectDirectory'),
        alternates: text('alternates'),
        quarantine: text('quarantine'),
      },
    };
  }
}
