import { z } from 'zod';

/** Shared zod 4 input schemas; messages are shown next to form fields in the console. */
export const id = z.uuid({ message: 'must be an ID (UUID)' });
export const byId = z.object({ id });
export const name = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
export const ids = z.array(id).max(1000);

const quota = z.number().int('must be a whole number').nonnegative('must not be negative').optional();
export const defaultQuotas = z
  .object({ cpuLimit: quota, cpuDmipsLimit: quota, memoryLimit: quota, storageDiskLimit: quota, stateDiskLimit: quota })
  .strict();
