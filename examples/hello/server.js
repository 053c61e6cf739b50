// The bundled example app: answers every request with a greeting and the release serving it.
const http = require('node:http');

const port = Number(process.env.PORT || 5000);
const release = process.env.SLIPWAY_RELEASE || 'dev';
const greeting = process.env.GREETING || 'Hello from Slipway';

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end('ok\n');
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${greeting}! (app ${process.env.SLIPWAY_APP || '?'}, release ${release}, process ${process.env.DYNO || '?'})\n`);
});

server.listen(port, () => console.log(`listening on ${port}, release ${release}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM: finishing in-flight requests');
  server.close(() => process.exit(0));
});
