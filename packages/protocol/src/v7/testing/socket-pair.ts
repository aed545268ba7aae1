import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';

/** A real WebSocket connection over loopback: the server's socket (the cloud side) and the client's (the unit side). */
export interface SocketPair {
  server: WebSocket;
  client: WebSocket;
  /** The client's TCP socket: pause it to play a unit that stops reading. */
  clientTcp: Socket;
  close(): Promise<void>;
}

/** Open a ws server on 127.0.0.1 (a free port) at AosEdge's path, connect a client, and return both ends. */
export async function openSocketPair(
  options: { server?: ServerOptions; client?: ClientOptions } = {},
): Promise<SocketPair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options.server });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  let clientTcp: Socket | undefined;
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws/v7/`, {
    ...options.client,
    createConnection: ((connectOptions: NetConnectOpts) => {
      clientTcp = createConnection(connectOptions);
      return clientTcp;
    }) as typeof createConnection,
  });
  await once(client, 'open');
  const [server] = await accepted;
  if (clientTcp === undefined) throw new Error('ws did not use createConnection');
  return {
    server,
    client,
    clientTcp,
    async close() {
      client.terminate();
      server.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
