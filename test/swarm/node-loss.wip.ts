// Work in progress (issue 10 §5, node loss), not yet part of the suite: the test body below belongs inside the
// describe of swarm-deploy.test.ts. Seen when it ran: the servers on the killed node leave rotation at
// once (the swarm engine reports a task on a down node as a die 137), the first dyno is replaced, but the
// supervisor's healing pass then takes about 60 s per dyno before the next one starts — find out which step
// waits (a stop of a service whose task is on a dead node, or wait-drained on a server whose in-flight
// requests hang until `timeout server` 60s) before this joins the suite.
export {};
/*
  test('a worker dies under load: its servers leave rotation at once, the formation is whole again', async (t) => {
    // The serving set (a blue-green warm set is parked in maint on its nodes too).
    const before = (await ps()).filter((p) => p.dyno.startsWith('web.') && p.router === 'UP');
    const victim = before.map((r) => r.node).find((n) => n && n !== 'm1');
    assert.ok(victim, `a web process on a worker: ${JSON.stringify(before)}`);
    const onVictim = before.filter((r) => r.node === victim).map((r) => r.dyno);
    const clients = { keepAliveClients: 4, newConnectionClients: 2 };
    const run = startLoad({ port: h.httpPort, host: h.host(app), ...clients, maxDurationMs: 4 * 60_000 });
    let outMs = 0;
    let wholeMs = 0;
    try {
      await waitUntil(async () => run.samples.length > 100, 20_000, 'the load to run');
      const killedAt = Date.now();
      lab.killNode(victim!);
      await waitUntil(
        async () => {
          const rows = await ps();
          const serving = rows.filter((r) => r.node === victim && r.router === 'UP');
          return serving.length === 0;
        },
        30_000,
        `the servers on ${victim} to leave rotation`,
        25,
      );
      outMs = Date.now() - killedAt;
      await waitUntil(
        async () => {
          const rows = (await ps()).filter((r) => r.dyno.startsWith('web.') && r.router === 'UP');
          return rows.length >= 4 && rows.every((r) => r.node !== victim);
        },
        90_000,
        'four web processes UP on the remaining nodes',
        250,
      ).catch(async (err: unknown) => {
        t.diagnostic(JSON.stringify(await ps().catch(() => [])));
        t.diagnostic(h.serverLog.split('\n').slice(-40).join('\n'));
        throw err;
      });
      wholeMs = Date.now() - killedAt;
    } finally {
      await run.stop();
    }
    const summary = summarize(run.samples);
    t.diagnostic(
      `${victim} killed: its ${onVictim.length} server(s) out of rotation after ${outMs} ms (ps view); ` +
        `4 web UP on the others after ${wholeMs} ms; ${summary.failed} of ${summary.total} requests failed`,
    );
    // Each client has at most one request in flight: nothing beyond those may fail.
    assert.ok(
      summary.failed <= clients.keepAliveClients + clients.newConnectionClients,
      JSON.stringify(summary.failures.slice(0, 5)),
    );
    await lab.reviveNode(victim!);
    await lab.waitReady(3);
  });
});


async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
*/
