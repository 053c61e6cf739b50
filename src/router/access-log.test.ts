import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptAccessLogLine, accessLogKey, describeRouterEntry, parseAccessLogLine } from './access-log.js';

/** A ring line as HAProxy 2.6 writes it (`format raw`: the log-format line alone). */
const line = (rest: string, pid = 4711, rt = 9) => `slw1 ${pid} ${rt} ${rest}`;

describe('access log lines', () => {
  it('reads a request served by a server', () => {
    const entry = parseAccessLogLine(
      line('1796164210033 app_shop web-3f2a9c1b0d4e 200 108 0 0 1 10 11 10.0.0.7 GET shop.apps.test /cart'),
    );
    assert.deepEqual(entry, {
      app: 'shop',
      time: new Date(1796164210033 + 11).toISOString(),
      method: 'GET',
      path: '/cart',
      host: 'shop.apps.test',
      status: 200,
      bytes: 108,
      server: 'web-3f2a9c1b0d4e',
      client: '10.0.0.7',
      timings: { tq: 0, tw: 0, tc: 1, tr: 10, ta: 11 },
    });
    assert.equal(
      describeRouterEntry(entry!),
      'method=GET path="/cart" host=shop.apps.test status=200 bytes=108 client=10.0.0.7 ' +
        'server=web-3f2a9c1b0d4e Tq=0 Tw=0 Tc=1 Tr=10 Ta=11ms',
    );
  });

  it('keys a line by worker pid and request counter (a ring read twice hands on nothing twice)', () => {
    const accepted = acceptAccessLogLine(line('1 app_a s 200 1 0 0 0 0 0 1.2.3.4 GET a.test /', 123, 45));
    assert.equal(accepted?.app, 'a');
    assert.equal(accessLogKey(accepted!.fields), '123:45');
  });

  it('reads an answer of HAProxy itself (maintenance: no server, -1 timings)', () => {
    const entry = parseAccessLogLine(
      line('1796164207405 app_shop <NOSRV> 503 152 0 -1 -1 -1 0 127.0.0.1 POST shop.apps.test /'),
    );
    assert.equal(entry?.server, '');
    assert.equal(entry?.status, 503);
    assert.deepEqual(entry?.timings, { tq: 0, tw: -1, tc: -1, tr: -1, ta: 0 });
  });

  it('undoes HAProxy escaping and keeps a path with spaces whole (it is the last field)', () => {
    const entry = parseAccessLogLine(line('1 app_a s 200 1 0 0 0 0 0 1.2.3.4 GET a.test /a\\"b\\\\c\\]d e'));
    assert.equal(entry?.path, '/a"b\\c]d e');
  });

  it("drops what is not a request line of an app: HAProxy's notices, the 404 backend, garbage", () => {
    for (const text of [
      'Proxy slipway_http stopped (cumulated conns: FE: 4, BE: 0).',
      '[WARNING]  (10209) : Server app_a/web-1 is DOWN',
      line('1 slipway_no_app <NOSRV> 404 10 0 -1 -1 -1 0 1.2.3.4 GET nope.test /'),
      line('x app_a s 200 1 0 0 0 0 0 1.2.3.4 GET a.test /'),
      line('1 app_a s 200'),
      line('1 app_Bad s 200 1 0 0 0 0 0 1.2.3.4 GET a.test /'),
      '',
    ])
      assert.equal(parseAccessLogLine(text), undefined, JSON.stringify(text));
  });
});
