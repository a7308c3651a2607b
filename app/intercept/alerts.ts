import { Counter, type Registry } from 'prom-client';
import { type Logger } from '../shared/infra/logger';
import { type InterceptAlerts } from './ports';

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

// Operator alerts: an error log line (for the log-based alerting) and a Prometheus counter (for
// metric-based alerting) per problem.
export function interceptAlerts(log: Logger, registry: Registry): InterceptAlerts {
  const contentFailures = counter(registry, 'intercept_content_failures_total', 'Intercept content (recording) starts that failed; each is retried');
  const evidenceProblems = counter(registry, 'intercept_evidence_problems_total', 'Intercept evidence problems: lost or uncollected recordings, unrecoverable copies, broken hash chains', ['problem']);
  return {
    contentFailed(details) {
      contentFailures.inc();
      log.error('intercept content could not start', details);
    },
    evidenceProblem(details) {
      evidenceProblems.inc({ problem: typeof details.problem === 'string' ? details.problem : 'unknown' });
      log.error('intercept evidence problem', details);
    },
  };
}
