/**
 * Tests only: a TCP proxy between a unit and the cloud whose connections a test can cut, as a
 * network that drops (a pulled cable, a NAT timeout): `cut()` destroys every open connection and
 * refuses new ones until `restore()`.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface LinkProxy {
  /** `http://127.0.0.1:<port>`: give this to the unit instead of the cloud's URL. */
  readonly url: string;
  /** How many connections it has accepted so far. */
  readonly connectionCount: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLinkProxy(target: () => URL): Promise<LinkProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let connectionCount = 0;
  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    connectionCount++;
    const { hostname, port } = target();
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined); // a cut or a closed peer: both ends are destroyed below
      socket.once('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get connectionCount() {
      return connectionCount;
    },
    cut() {
      isCut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
