import type { Actor, Role } from '@openaos/api';

export type { Actor, Role };

export function describeRole(role: Role): string {
  return role === 'admin' ? 'admin' : role === 'oem' ? 'OEM user' : 'SP user';
}
