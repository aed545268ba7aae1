import { eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { createUnchecked } from './users.js';

export const BOOTSTRAP_ADMIN_EMAIL = 'admin';

/**
 * First run: when no admin exists, create one called `admin` with the given password or a
 * random one. The password is returned only when this call created the admin, so the caller
 * can print it once; it is never stored in clear.
 */
export async function bootstrapAdmin(
  db: Database,
  options: { password?: string } = {},
): Promise<{ created: false } | { created: true; email: string; password: string; generated: boolean }> {
  const [existing] = await db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.role, 'admin'))
    .limit(1);
  if (existing) return { created: false };
  const result = await createUnchecked(db, {
    email: BOOTSTRAP_ADMIN_EMAIL,
    name: 'Administrator',
    role: 'admin',
    ...(options.password ? { password: options.password } : {}),
  });
  const password = options.password ?? result.password;
  if (password === undefined) throw new Error('bootstrapping the admin: no password was set or generated');
  return {
    created: true,
    email: result.user.email,
    password,
    generated: !options.password,
  };
}
