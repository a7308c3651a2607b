import { Gauge, type Registry } from 'prom-client';
import { type Logger } from '../shared/infra/logger';
import { type Clock, errorMessage } from '../shared/kernel';
import { type Alarm, ALARM_RULES, type AlarmFigures, type AlarmThresholds, evaluate } from './alarm';

export interface AlarmSources {
  database: (t: AlarmThresholds, now: Date) => Promise<Pick<AlarmFigures, 'carriers' | 'lowBalances' | 'destinations'>>;
  dependencies: () => Promise<AlarmFigures['dependencies']>;
  deadLetters: () => Promise<number>;
}

// Evaluates the alarm rules every round and keeps the open alarms: for the console (list()) and
// for Prometheus (`alarms_open{rule}` and `alarm_open{rule,subject}`, 1 while open), so that
// Alertmanager can page on them. A round whose figures cannot be read keeps the last answer and
// opens a dependency alarm for the part that failed.
export class AlarmMonitor {
  private open = new Map<string, Alarm>();
  private readonly byRule: Gauge;
  private readonly each: Gauge;

  constructor(
    private readonly sources: AlarmSources,
    private readonly thresholds: AlarmThresholds,
    private readonly clock: Clock,
    private readonly log: Logger,
    metrics?: Registry,
  ) {
    this.byRule = new Gauge({ name: 'alarms_open', help: 'Open alarms by rule', labelNames: ['rule'], registers: metrics ? [metrics] : [] });
    this.each = new Gauge({ name: 'alarm_open', help: 'An open alarm (1) by rule and subject', labelNames: ['rule', 'subject'], registers: metrics ? [metrics] : [] });
    for (const rule of ALARM_RULES) this.byRule.set({ rule }, 0);
  }

  list(): Alarm[] {
    return [...this.open.values()].sort((a, b) => a.since.localeCompare(b.since));
  }

  async evaluateNow(): Promise<Alarm[]> {
    const now = this.clock.now();
    const failed: AlarmFigures['dependencies'] = [];
    const attempt = async <T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        failed.push({ name, ok: false, error: errorMessage(error) });
        this.log.warn('alarm figures not read', { source: name, error: errorMessage(error) });
        return fallback;
      }
    };
    const [database, dependencies, deadLetters] = await Promise.all([
      attempt('postgres (alarms)', () => this.sources.database(this.thresholds, now), { carriers: [], lowBalances: [], destinations: [] }),
      attempt('health checks', () => this.sources.dependencies(), []),
      attempt('nats (dead letters)', () => this.sources.deadLetters(), 0),
    ]);
    const found = evaluate({ ...database, dependencies: [...dependencies, ...failed], deadLetters }, this.thresholds);
    const next = new Map<string, Alarm>();
    for (const alarm of found) {
      const key = `${alarm.rule}|${alarm.subject}`;
      next.set(key, { ...alarm, since: this.open.get(key)?.since ?? now.toISOString() });
    }
    for (const [key, alarm] of this.open) if (!next.has(key)) this.each.remove({ rule: alarm.rule, subject: alarm.subject });
    for (const [key, alarm] of next) {
      if (!this.open.has(key)) this.log.warn('alarm opened', { rule: alarm.rule, subject: alarm.subject, summary: alarm.summary });
      this.each.set({ rule: alarm.rule, subject: alarm.subject }, 1);
    }
    for (const rule of ALARM_RULES) this.byRule.set({ rule }, [...next.values()].filter((a) => a.rule === rule).length);
    this.open = next;
    return this.list();
  }
}
