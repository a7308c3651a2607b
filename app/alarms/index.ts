import { type Registry } from 'prom-client';
import { type Logger } from '../shared/infra/logger';
import { type Sql } from '../shared/infra/sql';
import { type Clock } from '../shared/kernel';
import { type AlarmThresholds } from './alarm';
import { AlarmMonitor, type AlarmSources } from './alarm-monitor';
import { PgAlarmFigures } from './pg-alarm-figures';

export function createAlarmsModule(deps: {
  sql: Sql;
  thresholds: AlarmThresholds;
  dependencies: AlarmSources['dependencies'];
  deadLetters: AlarmSources['deadLetters'];
  clock: Clock;
  log: Logger;
  metrics?: Registry;
}): AlarmMonitor {
  const figures = new PgAlarmFigures(deps.sql);
  return new AlarmMonitor(
    { database: (t, now) => figures.read(t, now), dependencies: deps.dependencies, deadLetters: deps.deadLetters },
    deps.thresholds,
    deps.clock,
    deps.log.child({ module: 'alarms' }),
    deps.metrics,
  );
}

export { AlarmMonitor } from './alarm-monitor';
export { evaluate, ALARM_RULES, type Alarm, type AlarmRule, type AlarmThresholds, type AlarmFigures } from './alarm';
