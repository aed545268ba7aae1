import { asc, eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor, type Role } from '../actor.js';
import { ApiError } from '../errors.js';
import { generatePassword, hashPassword } from './passwords.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
  organisationName: string | null;
  isActive: boolean;
  createdAt: string;
}

const userColumns = {
  user: schema.users,
  organisationName: schema.organisations.name,
};

function toView(row: { user: typeof schema.users.$inferSelect; organisationName: string | null }): UserView {
  const { user } = row;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    organisationId: user.organisationId,
    organisationName: row.organisationName,
    isActive: user.isActive,
    createdAt: toIso(user.createdAt),
  };
}

/** Admins see all users; others see the users of their organisation (none without one). */
export async function list(db: Database, actor: Actor): Promise<UserView[]> {
  const organisationId = actor.role === 'admin' ? undefined : actor.organisationId;
  if (organisationId === null) return [];
  const rows = await db
    .select(userColumns)
    .from(schema.users)
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    // Filtered in the database: the table holds every user of the installation.
    .where(organisationId === undefined ? undefined : eq(schema.users.organisationId, organisationId))
    .orderBy(asc(schema.users.email));
  return rows.map(toView);
}

export async function get(db: Database, actor: Actor, input: { id: string }): Promise<UserView> {
  const [row] = await db
    .select(userColumns)
    .from(schema.users)
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(eq(schema.users.id, input.id));
  if (!row || (actor.role !== 'admin' && actor.userId !== row.user.id)) throw notFound('user', input.id);
  return toView(row);
}

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  organisationId?: string | null;
  /** Generated (and returned once) when absent. */
  password?: string;
}

/**
 * Create a user. OEM and SP users belong to an organisation of the same kind; admins to none.
 * Returns the initial password when it was generated, so it can be shown once.
 */
export async function create(
  db: Database,
  actor: Actor,
  input: CreateUserInput,
): Promise<{ user: UserView; password?: string }> {
  requireRole(actor, ['admin'], 'creating a user');
  return createUnchecked(db, input);
}

/** Create without an actor: first-run bootstrap and tests of the bootstrap only. */
export async function createUnchecked(
  db: Database,
  input: CreateUserInput,
): Promise<{ user: UserView; password?: string }> {
  let organisationName: string | null = null;
  if (input.role === 'admin') {
    if (input.organisationId)
      throw new ApiError(
        'invalid-input',
        'creating a user: admins do not belong to an organisation; leave the organisation empty',
      );
  } else {
    if (!input.organisationId)
      throw new ApiError(
        'invalid-input',
        `creating a user: an ${input.role === 'oem' ? 'OEM' : 'SP'} user needs an organisation; create one first`,
      );
    const [organisation] = await db
      .select()
      .from(schema.organisations)
      .where(eq(schema.organisations.id, input.organisationId));
    if (!organisation) throw notFound('organisation', input.organisationId);
    if (organisation.kind !== input.role) {
      throw new ApiError(
        'invalid-input',
        `creating a user: organisation "${organisation.name}" is ${organisation.kind === 'oem' ? 'an OEM' : 'a service provider'}; its users must have the ${organisation.kind === 'oem' ? 'OEM' : 'SP'} role`,
      );
    }
    organisationName = organisation.name;
  }
  const password = input.password ?? generatePassword();
  const email = input.email.trim().toLowerCase();
  const rows = await withUniqueCheck(
    async () =>
      db
        .insert(schema.users)
        .values({
          email,
          name: input.name.trim(),
          role: input.role,
          organisationId: input.organisationId ?? null,
          passwordHash: await hashPassword(password),
        })
        .returning(),
    `creating user ${email}: a user with that email exists`,
  );
  const row = onlyRow(rows, `creating user ${email}`);
  return {
    user: toView({ user: row, organisationName }),
    ...(input.password === undefined ? { password } : {}),
  };
}

/** Deactivate or reactivate a user; a deactivated user's sessions and credentials stop working at once. */
export async function setActive(
  db: Database,
  actor: Actor,
  input: { id: string; isActive: boolean },
): Promise<UserView> {
  requireRole(actor, ['admin'], 'changing a user');
  if (input.id === actor.userId && !input.isActive)
    throw new ApiError('invalid-input', 'deactivating yourself would lock you out; ask another admin');
  const [row] = await db
    .update(schema.users)
    .set({ isActive: input.isActive })
    .where(eq(schema.users.id, input.id))
    .returning();
  if (!row) throw notFound('user', input.id);
  if (!input.isActive) await db.delete(schema.sessions).where(eq(schema.sessions.userId, input.id));
  return get(db, actor, { id: input.id });
}

/** Set a user's password: admins for anyone, users for themselves. */
export async function setPassword(db: Database, actor: Actor, input: { id: string; password: string }): Promise<void> {
  if (actor.role !== 'admin' && actor.userId !== input.id)
    throw new ApiError('forbidden', 'changing a password: you may change only your own');
  const [row] = await db
    .update(schema.users)
    .set({ passwordHash: await hashPassword(input.password) })
    .where(eq(schema.users.id, input.id))
    .returning();
  if (!row) throw notFound('user', input.id);
}
