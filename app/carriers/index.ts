import { type Clock } from '../shared/kernel';
import { type Database } from '../shared/infra/prisma';
import { CarrierService } from './carrier-service';
import { PrismaCarrierRepository } from './prisma-carrier-repository';

export function createCarriersModule(deps: { db: Database; clock: Clock }): CarrierService {
  return new CarrierService(new PrismaCarrierRepository(deps.db), deps.clock);
}

export { CarrierService } from './carrier-service';
export { RedisCarrierCapacity } from './redis-carrier-capacity';
export * from './carrier';
export { CARRIERS_CONTEXT, carrierIdentityFor } from './carrier-identity';
