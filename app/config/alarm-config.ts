// The alarm rules' thresholds (app/alarms' AlarmThresholds accepts this as is) and how often
// they are evaluated.
export interface AlarmConfig {
  intervalSeconds: number;
  carrierAsrMin: number;
  carrierAsrMinCalls: number;
  carrierAsrWindowMinutes: number;
  balanceLowMinor: number;
  destinationSpikeCalls: number;
  destinationSpikeWindowMinutes: number;
  deadLettersMax: number;
}
