import { type DirectoryChanges } from '../shared/events';
import { type Logger, silentLogger } from '../shared/infra/logger';
import { type Clock, type Scheduler, systemScheduler } from '../shared/kernel';
import { type Database } from '../shared/infra/prisma';
import { type Sql } from '../shared/infra/sql';
import { CarrierRegistrations } from './carrier-registrations';
import { CarrierService } from './carrier-service';
import { PgCarrierLookups } from './pg-carrier-lookups';
import { type OutboundRegistrations } from './ports';
import { PrismaCarrierRepository } from './prisma-carrier-repository';

// A registration push lost while the switch was unreachable is repeated within this long.
const REGISTRATION_SYNC_MS = 5 * 60_000;

export interface CarriersModule {
  service: CarrierService;
  // The periodic registration sync (stop it on shutdown).
  registrations: { start(): void; stop(): Promise<void> };
}

export function createCarriersModule(deps: { db: Database; sql: Sql; clock: Clock; registrations: OutboundRegistrations; scheduler?: Scheduler; log?: Logger; behindEdge?: boolean; edgeProxy?: string; changes?: DirectoryChanges }): CarriersModule {
  const log = (deps.log ?? silentLogger).child({ module: 'carriers' });
  const repository = new PrismaCarrierRepository(deps.db, new PgCarrierLookups(deps.sql));
  const registrations = new CarrierRegistrations(repository, deps.registrations, deps.scheduler ?? systemScheduler, log);
  return {
    service: new CarrierService(repository, registrations, deps.clock, { behindEdge: deps.behindEdge === true, ...(deps.edgeProxy ? { edgeProxy: deps.edgeProxy } : {}) }, deps.changes),
    registrations: { start: () => registrations.start(REGISTRATION_SYNC_MS), stop: () => registrations.stop() },
  };
}

export { CarrierService } from './carrier-service';
export { RedisCarrierCapacity } from './redis-carrier-capacity';
export { type OutboundRegistrations } from './ports';
export * from './carrier';
export { CARRIERS_CONTEXT, carrierIdentityFor, type CarrierIdentity } from './carrier-identity';
