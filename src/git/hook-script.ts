/**
 * The pre-receive hook Slipway writes into each repository: a fixed program (only the node binary's path is
 * filled in, by Slipway). It hands the ref updates and the quarantine directory to the running server over
 * the unix socket named in its environment, with the one-time secret of this push, and prints what the
 * server sends back on stderr (git relays it as `remote:` lines). Its exit code is the server's answer:
 * non-zero rejects the push and no ref changes. Nothing from the push is run by a shell.
 */
export function hookScript(nodePath: string): string {
  return `#!${nodePath}
// Written by Slipway: hands this push to the Slipway server (do not edit; Slipway rewrites it).
(async () => {
  const net = await import('node:net');
  const env = process.env;
  const say = (text) => process.stderr.write(text + '\\n');
  if (!env.SLIPWAY_PUSH_SOCKET || !env.SLIPWAY_PUSH_ID || !env.SLIPWAY_PUSH_SECRET) {
    say('slipway: this repository takes pushes only through the Slipway server');
    process.exit(1);
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  let exitCode = 1;
  let buffered = '';
  const socket = net.createConnection(env.SLIPWAY_PUSH_SOCKET);
  socket.setEncoding('utf8');
  socket.on('connect', () => {
    socket.write(JSON.stringify({
      id: env.SLIPWAY_PUSH_ID,
      secret: env.SLIPWAY_PUSH_SECRET,
      updates: Buffer.concat(chunks).toString('utf8'),
      objectDirectory: env.GIT_OBJECT_DIRECTORY || '',
      alternates: env.GIT_ALTERNATE_OBJECT_DIRECTORIES || '',
      quarantine: env.GIT_QUARANTINE_PATH || '',
    }) + '\\n');
  });
  socket.on('data', (text) => {
    buffered += text;
    let end;
    while ((end = buffered.indexOf('\\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message;
      try { message = JSON.parse(line); } catch { continue; }
      if (typeof message.line === 'string') say(message.line);
      if (typeof message.exit === 'number') exitCode = message.exit;
    }
  });
  socket.on('error', (err) => say('slipway: lost the connection to the server: ' + err.message));
  socket.on('close', () => process.exit(exitCode));
})().catch((err) => {
  process.stderr.write('slipway: ' + String(err) + '\\n');
  process.exit(1);
});
`;
}
