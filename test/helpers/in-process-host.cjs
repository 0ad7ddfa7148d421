// A stand-in for the function's process in in-process mode: `node --require dist/extension/in-process.cjs
// in-process-host.cjs [probe]`. It keeps the process alive (the extension's servers are unref()'d and
// never do) until SIGTERM, on which it exits 0, as a runtime would. With `probe`, its first lines,
// run at its top level before the event loop has turned once, connect to the extension's port from
// another process: they say whether the sockets accept before the function's own code starts.
// With IN_PROCESS_HOST_DIRECT_PORT set, it serves the tests a way to call the direct path from outside:
// POST {"target": …, "token": …} to that port (127.0.0.1) → the direct path's {"status", "body"}.
'use strict';
const { execFileSync } = require('node:child_process');
const { createServer } = require('node:http');

const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
if (process.argv[2] === 'probe') {
  const connect = (host) =>
    execFileSync(process.execPath, [
      '-e',
      `require('node:net').connect(${port}, ${JSON.stringify(host)})` +
        ".on('connect', () => { console.log('accepting'); process.exit(0); })" +
        ".on('error', (error) => { console.log(error.code); process.exit(0); })",
    ])
      .toString()
      .trim();
  const key = Symbol.for('parameters-secrets-extension.in-process');
  console.log(
    `top level: 127.0.0.1 ${connect('127.0.0.1')}, ::1 ${connect('::1')}, direct path ${typeof globalThis[key]?.get}`,
  );
}
const directPort = process.env.IN_PROCESS_HOST_DIRECT_PORT;
if (directPort !== undefined) {
  createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      const { target, token } = JSON.parse(body);
      const direct = globalThis[Symbol.for('parameters-secrets-extension.in-process')];
      const answer = direct === undefined ? { absent: true } : await direct.get(target, token ?? undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  }).listen(Number(directPort), '127.0.0.1');
}
const alive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  clearInterval(alive);
  process.exit(0);
});
