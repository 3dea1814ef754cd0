import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plumbing shared by the local provider fakes: an HTTP server on 127.0.0.1 and a random port,
 * and a receiver that records webhook calls exactly as they arrive (raw body, headers, the URL
 * the caller used) so the adapters' signature checks run on real bytes.
 */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>;

export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const listen = async (handler: Handler): Promise<RunningServer> => {
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, body, res))
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export interface ReceivedRequest {
  /** Absolute URL as the caller requested it. */
  url: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** Records every request and answers 200; `url` is where providers are told to call back. */
export const startReceiver = async (): Promise<RunningServer & { requests: ReceivedRequest[]; waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]> }> => {
  const requests: ReceivedRequest[] = [];
  let base = '';
  const server = await listen((req, body, res) => {
    requests.push({ url: `${base}${req.url ?? '/'}`, method: req.method ?? 'GET', headers: { ...req.headers }, rawBody: body });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  base = server.url;
  const waitFor = async (n: number, timeoutMs = 5000): Promise<ReceivedRequest[]> => {
    const start = performance.now();
    while (requests.length < n) {
      if (performance.now() - start > timeoutMs) throw new Error(`expected ${n} webhook calls, got ${requests.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return requests.slice(0, n);
  };
  return { ...server, requests, waitFor };
};
