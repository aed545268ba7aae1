import { asc, count, eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../actor.js';
import { ApiError } from '../errors.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export type OrganisationKind = 'oem' | 'sp';

export interface OrganisationView {
  id: string;
  name: string;
  kind: OrganisationKind;
  createdAt: string;
}

function toView(row: typeof schema.organisations.$inferSelect): OrganisationView {
  return { id: row.id, name: row.name, kind: row.kind, createdAt: toIso(row.createdAt) };
}

/** Admins see every organisation; others see their own. */
export async function list(db: Database, actor: Actor): Promise<OrganisationView[]> {
  const rows = await db.select().from(schema.organisations).orderBy(asc(schema.organisations.name));
  return rows.filter((row) => actor.role === 'admin' || row.id === actor.organisationId).map(toView);
}

export async function create(
  db: Database,
  actor: Actor,
  input: { name: string; kind: OrganisationKind },
): Promise<OrganisationView> {
  requireRole(actor, ['admin'], 'creating an organisation');
  const rows = await withUniqueCheck(
    () => db.insert(schema.organisations).values({ name: input.name.trim(), kind: input.kind }).returning(),
    `creating organisation "${input.name}": an organisation with that name exists; choose another name`,
  );
  return toView(onlyRow(rows, `creating organisation "${input.name}"`));
}

/** Refused while the organisation still has users, services, units, unit sets or subjects. */
export async function remove(db: Database, actor: Actor, input: { id: string }): Promise<void> {
  requireRole(actor, ['admin'], 'deleting an organisation');
  const [row] = await db.select().from(schema.organisations).where(eq(schema.organisations.id, input.id));
  if (!row) throw notFound('organisation', input.id);
  const dependents: string[] = [];
  for (const [label, table] of [
    ['users', schema.users],
    ['services', schema.services],
    ['units', schema.units],
    ['unit sets', schema.unitSets],
    ['subjects', schema.subjects],
  ] as const) {
    const [result] = await db.select({ n: count() }).from(table).where(eq(table.organisationId, input.id));
    if (result && result.n > 0) dependents.push(`${result.n} ${label}`);
  }
  if (dependents.length > 0) {
    throw new ApiError(
      'delete-blocked',
      `deleting organisation "${row.name}": it still has ${dependents.join(', ')}; delete or move them first`,
    );
  }
  await db.delete(schema.organisations).where(eq(schema.organisations.id, input.id));
}
