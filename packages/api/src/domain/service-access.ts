import { eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../actor.js';
import { notFound } from './util.js';

/** SP users see their organisation's services; OEM users and admins see all (to bind and approve them). */
export function canSeeService(actor: Actor, organisationId: string): boolean {
  return actor.role !== 'sp' || actor.organisationId === organisationId;
}

/** Only SP users of the owning organisation change a service. */
export function requireOwner(actor: Actor, service: { organisationId: string; id: string }, action: string): void {
  requireRole(actor, ['sp'], action);
  if (actor.organisationId !== service.organisationId) throw notFound('service', service.id);
}

/** A visible service row, or not-found (an SP never learns that another SP's service exists). */
export async function findVisible(db: Database, actor: Actor, id: string) {
  const [row] = await db
    .select({ service: schema.services, organisationName: schema.organisations.name })
    .from(schema.services)
    .innerJoin(schema.organisations, eq(schema.services.organisationId, schema.organisations.id))
    .where(eq(schema.services.id, id));
  if (!row || !canSeeService(actor, row.service.organisationId)) throw notFound('service', id);
  return row;
}
