import assert from 'node:assert/strict';
import { pollUntil } from '../core/abort.js';
import { describe, it } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { isSlipwayError } from '../core/errors.js';
import {
  startNdjson,
  streamNdjson,
  streamOperation,
  waitForDrain,
  writeNdjson,
  type RequestContext,
} from './http-kit.js';

/** A loopback server whose one handler gets a RequestContext like the API's (signal aborts when the client leaves). */
async function serve(
  handler: (ctx: RequestContext) => Promise<void>,
): Promise<{ url: string; close: () => Promise<void>; responses: http.ServerResponse[] }> {
  const responses: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    responses.push(res);
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    void handler({
      req,
      res,
      params: {},
      query: new URLSearchParams(),
      signal: controller.signal,
      actor: 'test',
    }).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, responses, close: () => new Promise((r) => server.close(() => r())) };
}

function open(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, { agent: false }, resolve).on('error', reject));
}

function eventually(check: () => boolean, what: string): Promise<unknown> {
  return pollUntil(async () => check() || undefined, { timeoutMs: 10_000, intervalMs: 5, what });
}

describe('NDJSON streams', () => {
  it(
    'streamNdjson pulls values only as fast as the client reads, and releases the source when it leaves',
    { timeout: 30_000 },
    async () => {
      let pulled = 0;
      let released = false;
      const line = 'x'.repeat(1000);
      async function* values(): AsyncGenerator<unknown> {
        try {
          for (let i = 0; i < 200_000; i++) {
            pulled++;
            yield { i, line };
          }
        } finally {
          released = true;
        }
      }
      const srv = await serve((ctx) => streamNdjson(ctx, values()));
      try {
        const res = await open(srv.url);
        res.pause(); // a client that reads nothing
        await eventually(() => srv.responses[0]?.writableNeedDrain === true, 'the client buffer to fill');
        const atFull = pulled;
        for (let i = 0; i < 20; i++) await tick();
        assert.ok(pulled <= atFull + 1, `the source waits (${atFull} → ${pulled})`);
        // 200 MB were on offer; only what the socket buffers hold was taken.
        assert.ok(pulled < 50_000, `${pulled} values pulled`);
        res.destroy();
        await eventually(() => released, 'the source to be released');
        assert.ok(pulled < 50_000);
      } finally {
        await srv.close();
      }
    },
  );

  it(
    'streamOperation drops output beyond its buffer with a notice, and never drops other events or the result',
    { timeout: 30_000 },
    async () => {
      const srv = await serve((ctx) =>
        streamOperation(ctx, async (emit) => {
          for (let i = 0; i < 100_000; i++)
            emit({ type: 'output', source: 'build', text: `step ${i} ${'y'.repeat(200)}`, at: '' });
          emit({ type: 'stage-end', stage: 'build', label: 'build', at: '', ms: 1, ok: true });
          return { built: true };
        }),
      );
      try {
        const res = await open(srv.url);
        let text = '';
        for await (const chunk of res) text += (chunk as Buffer).toString();
        const lines = text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; event?: { type: string; text?: string }; result?: unknown });
        const outputs = lines.filter((l) => l.event?.type === 'output').length;
        const notices = lines.filter(
          (l) => l.event?.type === 'info' && /lines not sent, client too slow/.test(l.event.text ?? ''),
        );
        assert.ok(outputs < 100_000, `${outputs} output lines sent`);
        const notSent = notices.reduce((n, l) => n + Number(/^(\d+)/.exec(l.event!.text!)![1]), 0);
        assert.equal(outputs + notSent, 100_000, 'every dropped line is counted');
        assert.ok(
          lines.some((l) => l.event?.type === 'stage-end'),
          'other events are kept',
        );
        assert.deepEqual(lines.at(-1), { type: 'result', result: { built: true } });
      } finally {
        await srv.close();
      }
    },
  );

  it(
    'waitForDrain gives up on a client that reads nothing for too long, and closes its stream',
    { timeout: 30_000 },
    async () => {
      let outcome: unknown;
      const srv = await serve(async (ctx) => {
        startNdjson(ctx.res);
        try {
          for (;;) if (!writeNdjson(ctx.res, { pad: 'z'.repeat(10_000) })) await waitForDrain(ctx.res, ctx.signal, 100);
        } catch (err) {
          outcome = err;
        }
      });
      try {
        const res = await open(srv.url);
        res.pause();
        await eventually(() => outcome !== undefined, 'the stall timeout');
        assert.ok(isSlipwayError(outcome) && outcome.code === 'TIMEOUT', String(outcome));
        await eventually(() => srv.responses[0]!.destroyed, 'the response to be closed');
        res.destroy();
      } finally {
        await srv.close();
      }
    },
  );
});
