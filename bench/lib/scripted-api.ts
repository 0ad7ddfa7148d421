/**
 * A scripted Lambda Extensions API on loopback, enough for the extension's lifecycle: POST /register
 * is answered at once (after the bench's hook took its measurements), GET /event/next is held until
 * the API closes. Stands in for Lambda so the extension follows its real start-up path.
 */
import { createServer, type ServerResponse } from 'node:http';

export interface ScriptedApi {
  /** host:port for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Called synchronously when /register arrives, before it is answered. */
  onRegister: (() => void) | undefined;
  close(): Promise<void>;
}

export async function startScriptedApi(): Promise<ScriptedApi> {
  const held: ServerResponse[] = [];
  const api: ScriptedApi = {
    address: '',
    onRegister: undefined,
    close: () =>
      new Promise((resolve) => {
        for (const res of held.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/2020-01-01/extension/register') {
      api.onRegister?.();
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Identifier': 'bench-id' });
        res.end('{"functionName":"bench","functionVersion":"$LATEST","handler":"index.handler"}');
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/2020-01-01/extension/event/next') {
      held.push(res);
      return;
    }
    req.resume();
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(api, { address: `127.0.0.1:${port}` });
}
