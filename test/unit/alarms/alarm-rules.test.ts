import { expect } from 'chai';
import { type AlarmFigures, type AlarmThresholds, evaluate } from '../../../app/alarms';

const thresholds: AlarmThresholds = {
  carrierAsrMin: 0.3,
  carrierAsrMinCalls: 10,
  carrierAsrWindowMinutes: 15,
  balanceLowMinor: 100,
  destinationSpikeCalls: 50,
  destinationSpikeWindowMinutes: 5,
  deadLettersMax: 0,
};
const quiet: AlarmFigures = { carriers: [], dependencies: [{ name: 'postgres', ok: true }], deadLetters: 0, lowBalances: [], destinations: [] };

describe('alarm rules', function () {
  it('given quiet figures, then no alarm is open', function () {
    expect(evaluate(quiet, thresholds)).to.deep.equal([]);
  });

  it('given a carrier under the ASR threshold with enough calls, then its alarm opens; with too few calls or at the threshold, none', function () {
    const open = evaluate({ ...quiet, carriers: [
      { carrierId: 'c1', name: 'bad', calls: 20, answered: 5 },
      { carrierId: 'c2', name: 'few', calls: 9, answered: 0 },
      { carrierId: 'c3', name: 'edge', calls: 10, answered: 3 },
    ] }, thresholds);
    expect(open.map((a) => [a.rule, a.subject, a.value])).to.deep.equal([['carrier_asr_low', 'c1', 0.25]]);
  });

  it('given a dependency down, dead letters, a low balance and a destination spike, then one alarm each', function () {
    const open = evaluate({
      carriers: [],
      dependencies: [{ name: 'ari', ok: false, error: 'timeout' }, { name: 'redis', ok: true }],
      deadLetters: 3,
      lowBalances: [{ userId: 'u1', username: 'ann', availableMinor: 99, currency: 'USD' }, { userId: 'u2', username: 'bob', availableMinor: 100, currency: 'USD' }],
      destinations: [{ number: '+882', calls: 51 }, { number: '+44', calls: 50 }],
    }, thresholds);
    expect(open.map((a) => `${a.rule}:${a.subject}`)).to.deep.equal(['dependency_down:ari', 'dead_letters_waiting:DEAD_LETTERS', 'balance_low:u1', 'destination_spike:+882']);
  });
});
