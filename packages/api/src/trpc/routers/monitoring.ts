import { z } from 'zod';
import { monitoringOverview } from '../../domain/monitoring/monitoring-overview.js';
import { monitoringSeries, SPAN_LIMITS } from '../../domain/monitoring/query-series.js';
import { authedProcedure, router } from '../init.js';
import { id } from '../inputs.js';

/** Monitoring (docs/monitoring.md): chart series of a unit or instance, and the fleet overview. */
export const monitoringRouter = router({
  series: authedProcedure
    .input(
      z.object({
        unit: z
          .string()
          .trim()
          .min(1, 'is required (a unit ID or system ID)')
          .max(128, 'must be at most 128 characters'),
        serviceId: id.optional(),
        subjectId: z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
        instance: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
        sinceSeconds: z
          .number()
          .int('must be whole seconds')
          .min(SPAN_LIMITS.minSeconds, `must be at least ${SPAN_LIMITS.minSeconds} seconds`)
          .max(SPAN_LIMITS.maxSeconds, 'must be at most 31 days'),
      }),
    )
    .query(({ ctx, input }) => monitoringSeries(ctx.deps, ctx.actor, input)),
  overview: authedProcedure.query(({ ctx }) => monitoringOverview(ctx.deps, ctx.actor)),
});
