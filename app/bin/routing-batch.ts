// The batch layer on demand (scripts/routing-batch.sh): recomputes every carrier's quality figures
// from the call records and stores them with their watermark, as the app does every
// ROUTING_BATCH_INTERVAL_MINUTES. Prints the run as JSON. Exit 0: stored (or a later batch was
// already there); 2: it failed.
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../shared/infra/logger';
import { createDatabase } from '../shared/infra/prisma';
import { systemClock } from '../shared/kernel';
import { createQualityBatch } from '../routing';

async function run(): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, service: 'routing-batch' });
  const db = createDatabase({ url: config.database.url, poolSize: 2 });
  try {
    const result = await createQualityBatch({ db, clock: systemClock, log, options: config.routing }).run();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`routing batch failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
