import { ApiError } from './errors.js';

export type Role = 'admin' | 'oem' | 'sp';

/** Who is calling: resolved from a console session or a CLI certificate token, never from input. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  role: Role;
  /** Null for admins. */
  organisationId: string | null;
  organisationName: string | null;
  via: 'session' | 'certificate';
}

/** Throws `forbidden` unless the actor has one of the roles; says which role the action needs. */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (!roles.includes(actor.role)) {
    throw new ApiError(
      'forbidden',
      `${action}: needs the ${roles.map(describeRole).join(' or ')} role; you are signed in as ${describeRole(actor.role)}`,
    );
  }
}

/** The organisation the actor acts for; admins have none and are refused for org-scoped changes. */
export function requireOrganisation(actor: Actor, action: string): string {
  if (!actor.organisationId) {
    throw new ApiError(
      'forbidden',
      `${action}: you do not belong to an organisation; sign in as a user of the organisation that owns it`,
    );
  }
  return actor.organisationId;
}

export function describeRole(role: Role): string {
  return role === 'admin' ? 'admin' : role === 'oem' ? 'OEM user' : 'SP user';
}
