import { CERTIFICATE_AUTH_SCHEME, CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { createCallerFactory, publicProcedure, router } from './init.js';
import { credentialsRouter, organisationsRouter, usersRouter } from './routers/accounts.js';
import { alertsRouter } from './routers/alerts.js';
import { authRouter } from './routers/auth.js';
import { subjectsRouter, unitSetsRouter, unitsRouter } from './routers/fleet.js';
import { servicesRouter, versionsRouter } from './routers/services.js';
import { stateRouter } from './routers/state.js';
import { statusRouter } from './routers/unit-status.js';
import { monitoringRouter } from './routers/monitoring.js';
import { rolloutsRouter } from './routers/rollouts.js';

export const appRouter = router({
  /** What a client needs before signing in: the CA certificate to trust and where to upload. */
  system: router({
    info: publicProcedure.query(({ ctx }) => ({
      name: 'OpenAos cloud',
      caCertificatePem: ctx.deps.authority.ca.certificatePem,
      uploadPath: CLOUD_HTTP_PATHS.upload,
      authScheme: CERTIFICATE_AUTH_SCHEME,
    })),
  }),
  auth: authRouter,
  organisations: organisationsRouter,
  users: usersRouter,
  credentials: credentialsRouter,
  services: servicesRouter,
  versions: versionsRouter,
  units: unitsRouter,
  unitSets: unitSetsRouter,
  subjects: subjectsRouter,
  status: statusRouter,
  monitoring: monitoringRouter,
  alerts: alertsRouter,
  state: stateRouter,
  rollouts: rolloutsRouter,
});

export type AppRouter = typeof appRouter;

/** Call procedures in-process with a context (tests, server components). */
export const createCaller = createCallerFactory(appRouter);
