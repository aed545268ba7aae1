import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveClientAddress } from '../src/server/client-address.js';

function requestFrom(peer: string, forwardedFor?: string | string[]): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('resolveClientAddress', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(resolveClientAddress(requestFrom('10.1.1.1', '203.0.113.9'), 0)).toBe('10.1.1.1');
  });

  it('takes the entry the outermost trusted proxy appended, not what the client sent before it', () => {
    // client sent "1.2.3.4"; the one proxy appended the address it saw.
    expect(resolveClientAddress(requestFrom('10.1.1.1', '1.2.3.4, 203.0.113.9'), 1)).toBe('203.0.113.9');
    // two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(resolveClientAddress(requestFrom('10.1.1.2', ['1.2.3.4, 203.0.113.9', '10.1.1.1']), 2)).toBe('203.0.113.9');
  });

  it('falls back to the peer when the header has fewer entries than proxies', () => {
    expect(resolveClientAddress(requestFrom('10.1.1.1'), 1)).toBe('10.1.1.1');
    expect(resolveClientAddress(requestFrom('10.1.1.1', '203.0.113.9'), 2)).toBe('10.1.1.1');
  });
});
