import { z } from 'zod';
import { ALERT_KINDS } from '../../domain/alerts/alert-kinds.js';
import { ALERT_PAGE, listAlerts } from '../../domain/alerts/list-alerts.js';
import { authedProcedure, router } from '../init.js';
import { id } from '../inputs.js';

const time = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-05T10:00:00Z' });

/** Alerts units sent (docs/alerts-and-state.md): per unit, per service or fleet-wide, newest first. */
export const alertsRouter = router({
  list: authedProcedure
    .input(
      z.object({
        unit: z.string().trim().min(1, 'is required (a unit ID or system ID)').max(128).optional(),
        serviceId: id.optional(),
        kinds: z
          .array(z.enum(ALERT_KINDS, { message: `must be one of ${ALERT_KINDS.join(', ')}` }))
          .max(10)
          .optional(),
        active: z.boolean().optional(),
        since: time.optional(),
        until: time.optional(),
        limit: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(ALERT_PAGE.max, `must be at most ${ALERT_PAGE.max}`)
          .optional(),
        cursor: z.string().max(200).optional(),
      }),
    )
    .query(({ ctx, input }) =>
      listAlerts(ctx.deps, ctx.actor, {
        ...input,
        since: input.since ? new Date(input.since) : undefined,
        until: input.until ? new Date(input.until) : undefined,
      }),
    ),
});
