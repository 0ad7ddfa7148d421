// The baseline server: bare node:http, CommonJS, nothing else loaded. Answers every request with the
// body of the file given as argv[3] (or "ok"), with the same headers the extension sends for a hit:
// the same bytes on the wire, so the difference is only the extension's own work per request.
//   node bare-http.cjs <port> [body-file]
'use strict';
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');

const port = Number(process.argv[2]);
const body = process.argv[3] ? readFileSync(process.argv[3]) : Buffer.from('ok');
const headers = ['Content-Type', 'text/plain', 'Content-Length', String(body.length)];

createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
}).listen(port, '127.0.0.1');
