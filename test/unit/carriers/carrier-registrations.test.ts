import { expect } from 'chai';
import { type Carrier, type OutboundRegistrations } from '../../../app/carriers';
import { CarrierRegistrations } from '../../../app/carriers/carrier-registrations';
import { type CarrierRepository } from '../../../app/carriers/ports';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const carrier = (id: string, extra: Partial<Carrier> = {}): Carrier => ({
  id,
  name: id,
  endpointId: `carrier_${id}`,
  host: '203.0.113.7',
  port: 5060,
  transport: 'udp',
  authUsername: 'acct',
  numberFormat: 'plus',
  techPrefix: '',
  maxConcurrentCalls: 10,
  enabled: true,
  inboundMatch: '203.0.113.7',
  allowAboveRetail: false,
  emergency: false,
  emergencyCountries: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
});
const REGISTERS = { registration: { expirationSeconds: 3600, retryIntervalSeconds: 60 } };

// What the switch was told, in order; `down` makes every push fail.
class SwitchRegistrations implements OutboundRegistrations {
  told: string[] = [];
  down = false;
  apply(id: string): Promise<void> {
    if (this.down) return Promise.reject(new Error('ARI unreachable'));
    this.told.push(`apply ${id}`);
    return Promise.resolve();
  }
  purge(): Promise<void> {
    if (this.down) return Promise.reject(new Error('ARI unreachable'));
    this.told.push('purge');
    return Promise.resolve();
  }
}

function setup(carriers: Carrier[] = []) {
  const sw = new SwitchRegistrations();
  const log = capturingLogger();
  const time = new ManualTime();
  const repository = { list: () => Promise.resolve(carriers) } as unknown as CarrierRepository;
  return { sw, log, time, registrations: new CarrierRegistrations(repository, sw, time, log) };
}

describe('carriers: outbound registrations pushed to the switch', function () {
  it('given a carrier that starts, changes or stops registering, then the switch applies its row, or purges it once it is gone', async function () {
    const { sw, registrations } = setup();
    await registrations.changed(undefined, carrier('a', REGISTERS));
    await registrations.changed(carrier('a', REGISTERS), carrier('a', { ...REGISTERS, port: 5070 }));
    await registrations.changed(carrier('a', REGISTERS), carrier('a', { ...REGISTERS, enabled: false }));
    await registrations.changed(carrier('b', REGISTERS), carrier('b'));
    await registrations.changed(carrier('c', REGISTERS), undefined);
    expect(sw.told).to.deep.equal(['apply carrier_a', 'apply carrier_a', 'purge', 'purge', 'purge']);
  });

  it('given a carrier that does not register, then the switch is not bothered', async function () {
    const { sw, registrations } = setup();
    await registrations.changed(undefined, carrier('a'));
    await registrations.changed(carrier('a'), carrier('a', { enabled: false }));
    await registrations.changed(carrier('a', { ...REGISTERS, enabled: false }), carrier('a', { ...REGISTERS, enabled: false, port: 5070 }));
    expect(sw.told).to.deep.equal([]);
  });

  it('given the switch unreachable, then the change is not refused but logged, and the periodic sync pushes every registering carrier once it is back', async function () {
    const { sw, log, time, registrations } = setup([carrier('a', REGISTERS), carrier('b'), carrier('c', { ...REGISTERS, enabled: false }), carrier('d', REGISTERS)]);
    sw.down = true;
    await registrations.changed(undefined, carrier('a', REGISTERS));
    expect(log.entries.map((entry) => [entry.level, entry.message])).to.deep.include(['warn', 'carrier registration not pushed to the switch']);
    registrations.start(60_000);
    sw.down = false;
    time.advance(60_000);
    await registrations.stop();
    expect(sw.told).to.deep.equal(['apply carrier_a', 'apply carrier_d', 'purge']);
  });
});
