// Evidence verification on demand (scripts/intercept-verify.sh): re-reads every copy of every
// recording, repairs lost or corrupt copies from an intact one, checks every warrant's hash chain
// against its keys and the signed checkpoint; with --rewrap, first moves recordings sealed with an
// older key (INTERCEPT_PREVIOUS_ENCRYPTION_KEYS) to the current one; with --retention, then deletes
// what is past retention; then writes the checkpoint of chain heads. Prints the report as JSON.
// Exit: 0 all intact or repaired, 1 problems remain, 2 the check itself failed.
import { Registry } from 'prom-client';
import { ConfigError, loadConfig } from '../config';
import { systemClock } from '../shared/kernel';
import { createFileLogger } from '../shared/infra/logger';
import { createDatabase } from '../shared/infra/prisma';
import { createSql } from '../shared/infra/sql';
import { createEvidenceVerification } from '../intercept';

async function run(): Promise<number> {
  const config = loadConfig();
  // Its lines name warrants and recordings: the intercept log, never the console (the report is the output).
  const log = createFileLogger({ level: config.logLevel, service: 'intercept-verify', file: config.intercept.logFile });
  const db = createDatabase({ url: config.database.url, poolSize: 2 });
  // The module's call-event reads need it; verification itself never queries through it.
  const sql = createSql({ url: config.database.url, poolSize: 1, log });
  try {
    const { verifier, retention, checkpoints, rewrap } = createEvidenceVerification({ ...config.intercept, db, sql, clock: systemClock, log, metrics: new Registry() });
    const rewrapped = process.argv.includes('--rewrap') ? await rewrap.run() : undefined;
    const report = await verifier.run();
    const purged = process.argv.includes('--retention') ? await retention.run() : undefined;
    // As the app's verification job: the heads found (a chain that disagrees keeps its old entry).
    await checkpoints.write();
    process.stdout.write(`${JSON.stringify({ ...report, ...(purged ? { retention: purged } : {}), ...(rewrapped ? { rewrap: rewrapped } : {}) }, null, 2)}\n`);
    return report.ok && (rewrapped?.failed.length ?? 0) === 0 ? 0 : 1;
  } finally {
    // Both closed even if one fails to (reported, without hiding the run's own outcome).
    for (const closed of await Promise.allSettled([db.$disconnect(), sql.end()])) {
      if (closed.status === 'rejected') process.stderr.write(`database client did not close: ${String(closed.reason)}\n`);
    }
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`intercept verification failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
