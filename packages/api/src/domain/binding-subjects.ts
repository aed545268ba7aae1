import { eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { ApiError } from '../errors.js';

/** What a subject can bind directly among the OEM's fleet: one unit or one unit set. */
export type BoundFleetItem = { unitId: string } | { unitSetId: string };

/** The subjects (id and name) that bind the unit or unit set directly. */
export async function listBindingSubjects(db: Database, item: BoundFleetItem): Promise<{ id: string; name: string }[]> {
  const subject = { id: schema.subjects.id, name: schema.subjects.name };
  if ('unitId' in item) {
    return db
      .select(subject)
      .from(schema.subjectUnits)
      .innerJoin(schema.subjects, eq(schema.subjectUnits.subjectId, schema.subjects.id))
      .where(eq(schema.subjectUnits.unitId, item.unitId));
  }
  return db
    .select(subject)
    .from(schema.subjectUnitSets)
    .innerJoin(schema.subjects, eq(schema.subjectUnitSets.subjectId, schema.subjects.id))
    .where(eq(schema.subjectUnitSets.unitSetId, item.unitSetId));
}

/**
 * Refuse a deletion while subjects bind the item: the binding tables restrict it, and the OEM
 * has to decide to unbind. `action` says what was being done (`deleting unit …`).
 */
export async function refuseDeleteWhileBound(db: Database, item: BoundFleetItem, action: string): Promise<void> {
  const bindings = await listBindingSubjects(db, item);
  if (bindings.length > 0) {
    throw new ApiError(
      'delete-blocked',
      `${action}: subject(s) ${bindings.map((b) => `"${b.name}"`).join(', ')} bind it; unbind it first`,
    );
  }
}
