import { randomInt } from 'node:crypto';
import { createBillingModule } from '../../app/billing';
import { type RouteEngine, RoutingService } from '../../app/routing';
import { silentLogger } from '../../app/shared/infra/logger';
import { createDatabase } from '../../app/shared/infra/prisma';
import { createSql } from '../../app/shared/infra/sql';
import { systemClock } from '../../app/shared/kernel';
import { createUsersModule } from '../../app/users';

export interface RetailPathFigures {
  // One decision at a time: latency of routesFor, retail price read included.
  latencyUs: Float64Array;
  // Decisions per second with `concurrency` of them in flight (calls arriving together).
  perSecond: number;
  concurrency: number;
}

// routesFor(request) as the call state manager calls it: billing's retailRateOf (the caller's
// account, their plan, the plan's rates for the number: PostgreSQL, through the plain SQL pool as
// the app reads them; billing's code unchanged),
// then the in-memory ranking. A caller with a plan of `retailPrefixes` rates is created for the run
// and deleted after it. Only the parts routesFor uses are given to the service.
export async function measureRetailPath(options: {
  engine: RouteEngine;
  numbers: readonly string[];
  countryCodes: readonly string[];
  decisions: number;
  concurrency: number;
  retailPrefixes: number;
  databaseUrl: string;
}): Promise<RetailPathFigures> {
  const db = createDatabase({ url: options.databaseUrl, poolSize: 10 });
  const sql = createSql({ url: options.databaseUrl, poolSize: 10, log: silentLogger });
  const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: 'bench.local', maxDevicesPerUser: 1 } });
  const billing = createBillingModule({ db, sql, clock: systemClock });
  const tag = `${Date.now().toString(36)}${randomInt(1000)}`;
  const user = await users.create({ username: `bench-route-${tag}`, password: 'bench-route-password', phoneNumber: `+1415${randomInt(200, 1000)}${String(randomInt(10_000)).padStart(4, '0')}` });
  try {
    const plan = await billing.createPricePlan({ name: `bench-route-lookup-${tag}`, currency: 'USD' });
    const rows = ['prefix,rate_per_minute', ...options.countryCodes.map((code) => `${code},0.90`)];
    for (let i = 0; rows.length <= options.retailPrefixes; i += 1) rows.push(`${options.countryCodes[i % options.countryCodes.length]}${String(i).padStart(4, '0')},0.80`);
    await billing.importRates(plan.id, `${rows.join('\n')}\n`);
    await billing.assignPlan(user.id, plan.id);
    const unused = {} as never;
    const service = new RoutingService({ engine: options.engine, retail: billing, clock: systemClock, log: silentLogger, state: unused, rates: unused, speed: unused, batch: unused, carrierCurrency: 'USD', carrierMinorUnitDigits: 2 });
    const caller = { userId: user.id, username: user.username, phoneNumber: user.phoneNumber };
    const decide = (i: number): Promise<string[]> => service.routesFor({ callId: `bench-${i}`, caller, destination: options.numbers[i % options.numbers.length] ?? '', at: new Date() });

    for (let i = 0; i < 500; i += 1) await decide(i);
    const latencyUs = new Float64Array(options.decisions);
    for (let i = 0; i < options.decisions; i += 1) {
      const t = process.hrtime.bigint();
      if ((await decide(i)).length === 0) throw new Error('a decision found no carrier: the retail plan does not cover the number');
      latencyUs[i] = Number(process.hrtime.bigint() - t) / 1000;
    }
    latencyUs.sort();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.decisions) await decide((next += 1));
      }),
    );
    const perSecond = options.decisions / ((performance.now() - started) / 1000);
    return { latencyUs, perSecond, concurrency: options.concurrency };
  } finally {
    await users.delete(user.id);
    await db.$disconnect();
    await sql.end();
  }
}
