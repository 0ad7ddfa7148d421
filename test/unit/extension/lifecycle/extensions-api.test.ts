import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionsApiClient, splitHostPort } from '../../../../extension/src/lifecycle/extensions-api.js';

type Script = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Recorded {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;

/** A scripted local Extensions API that records each request and answers with `script`. */
async function scripted(script: Script): Promise<{ address: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      script(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { address: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, requests };
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

const registered: Script = (req, _body, res) => {
  if (req.url?.endsWith('/register')) {
    res.writeHead(200, { 'Lambda-Extension-Identifier': 'id-1' }).end('{}');
  } else if (req.url?.endsWith('/event/next')) {
    // Answer late: a client with a short timeout would give up first.
    setTimeout(
      () => res.writeHead(200).end('{"eventType":"SHUTDOWN","shutdownReason":"spindown","deadlineMs":1}'),
      300,
    );
  } else {
    res.writeHead(202).end('{}');
  }
};

describe('ExtensionsApiClient', () => {
  it('registers for SHUTDOWN only, under the given name, and keeps the identifier', async () => {
    const api = await scripted(registered);
    const client = new ExtensionsApiClient(api.address);

    await client.register('parameters-secrets-extension');

    expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/2020-01-01/extension/register' });
    expect(api.requests[0]?.headers['lambda-extension-name']).toBe('parameters-secrets-extension');
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ events: ['SHUTDOWN'] });
    expect(client.extensionId).toBe('id-1');
    client.close();
  });

  it('waits on /event/next with the identifier and parses the event', async () => {
    const api = await scripted(registered);
    const client = new ExtensionsApiClient(api.address);
    await client.register('x');

    const event = await client.nextEvent();

    expect(event).toEqual({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: 1 });
    expect(api.requests[1]?.headers['lambda-extension-identifier']).toBe('id-1');
    client.close();
  });

  it('fails registration clearly on a 4xx/5xx or a missing identifier', async () => {
    const api = await scripted((_req, _body, res) =>
      res.writeHead(403).end('{"errorType":"Extension.RegistrationClosed"}'),
    );
    const client = new ExtensionsApiClient(api.address);

    await expect(client.register('x')).rejects.toThrow(/register failed: HTTP 403.*RegistrationClosed/);
    client.close();
  });

  it('fails registration when nobody listens', async () => {
    const client = new ExtensionsApiClient('127.0.0.1:1');
    await expect(client.register('x')).rejects.toThrow(/register/);
    client.close();
  });

  it('reports init errors with the error type header and a Lambda-shaped body', async () => {
    const api = await scripted(registered);
    const client = new ExtensionsApiClient(api.address);
    await client.register('x');

    const response = await client.initError('Extension.ListenFailed', 'port in use');

    expect(response.status).toBe(202);
    const report = api.requests[1];
    expect(report?.url).toBe('/2020-01-01/extension/init/error');
    expect(report?.headers['lambda-extension-function-error-type']).toBe('Extension.ListenFailed');
    expect(JSON.parse(report?.body ?? '')).toEqual({
      errorMessage: 'port in use',
      errorType: 'Extension.ListenFailed',
      stackTrace: [],
    });
    client.close();
  });
});

describe('splitHostPort', () => {
  it('reads IPv4, names and bracketed IPv6', () => {
    expect(splitHostPort('127.0.0.1:9001')).toEqual(['127.0.0.1', 9001]);
    expect(splitHostPort('localhost:9001')).toEqual(['localhost', 9001]);
    expect(splitHostPort('[::1]:9001')).toEqual(['::1', 9001]);
  });
});
