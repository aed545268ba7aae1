import { z } from 'zod';

/** Why a service version or an instance failed: a message, and the exit code when a process exited. */
export const errorInfoSchema = z.object({
  aosCode: z.number().int().optional(),
  exitCode: z.number().int().optional(),
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;
