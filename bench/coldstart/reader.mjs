// Reads `event.count` distinct values through the extension (parameters /bench/p/NNNN and secrets
// bench/s/NNNN alternately, the bench's fixtures in moto), 4 at a time over keep-alive connections,
// so the bench can measure what holding them costs the sandbox. Fails on any answer other than 200.
import { Agent, request } from 'node:http';

const port = Number(process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773');
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const pad = (i) => String(i).padStart(4, '0');
const pathOf = (i) =>
  i % 2 === 0
    ? `/systemsmanager/parameters/get?name=${encodeURIComponent(`/bench/p/${pad(i / 2)}`)}`
    : `/secretsmanager/get?secretId=${encodeURIComponent(`bench/s/${pad((i - 1) / 2)}`)}`;

const get = (path) =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });

export const handler = async (event) => {
  const count = Number(event?.count ?? 0);
  let next = 0;
  const worker = async () => {
    while (next < count) await get(pathOf(next++));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { read: count };
};
