'use client';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@openaos/api';

/** The console's tRPC client: same origin, session cookie, one request per call. */
export const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/api/trpc' })] });

export interface ProblemInfo {
  message: string;
  fieldErrors: Record<string, string>;
  code: string | null;
}

/** What to show for a failed call: the message, and validation messages by field. */
export function describeProblem(error: unknown): ProblemInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as {
      fieldErrors?: Record<string, string> | null;
      apiCode?: string | null;
      code?: string;
    };
    const fieldErrors = data.fieldErrors ?? {};
    const message = Object.keys(fieldErrors).length > 0 ? 'Please correct the highlighted fields.' : error.message;
    return { message, fieldErrors, code: data.apiCode ?? data.code ?? null };
  }
  return { message: error instanceof Error ? error.message : String(error), fieldErrors: {}, code: null };
}
