/** @openaos/api/testing — helpers for tests of the cloud (source only, never built or shipped). */
export * from './test-unit.js';
export { createCloudFixture, TEST_PASSWORD_HASH_COST, type CloudFixture } from './cloud-fixture.js';
export { makeServicePackage, serviceConfigYaml } from './service-packages.js';
export * from './gateway-server.js';
export * from './wait-for.js';
// The same hash as domain/provisioning/create-token.ts (unit-ui): tests insert tokens directly.
export { hashProvisioningToken } from '../domain/provisioning/create-token.js';
export * from './simulated-fleet.js';
export { startTestS3Server, type TestS3Server } from './s3-server.js';
