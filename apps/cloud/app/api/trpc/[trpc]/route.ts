import { getCloudHandlers } from '../../../../src/server/cloud-global';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Forwards to the tRPC handler the custom server registered (see server.ts). */
async function handler(request: Request): Promise<Response> {
  const handlers = getCloudHandlers();
  if (!handlers) {
    return Response.json(
      {
        error: {
          message:
            'The cloud API runs only under the cloud server: start it with `pnpm --filter @openaos/cloud start` (or `dev`), not `next start`.',
        },
      },
      { status: 503 },
    );
  }
  return handlers.handleTrpc(request);
}

export { handler as GET, handler as POST };
