import { expect } from 'chai';
import { type Carrier, carrierIdentityFor, effectiveRegistration, formatForCarrier } from '../../../app/carriers';

const carrier = (extra: Partial<Carrier> = {}): Carrier => ({
  id: '0b7e6c1e-2f0a-4d8e-9a51-3c2d1e0f9a8b',
  name: 'carrier-a',
  endpointId: 'carrier_0b7e6c1e2f0a4d8e',
  host: '203.0.113.7',
  port: 5060,
  transport: 'udp',
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

describe('carriers: the number in the Request-URI and the PJSIP rows of a trunk', function () {
  it('given a number format and a tech prefix, then the number is sent with its +, as digits only, and after the prefix', function () {
    expect(formatForCarrier('+442071838750', { numberFormat: 'plus', techPrefix: '' })).to.equal('+442071838750');
    expect(formatForCarrier('+442071838750', { numberFormat: 'digits', techPrefix: '' })).to.equal('442071838750');
    expect(formatForCarrier('+442071838750', { numberFormat: 'digits', techPrefix: '0011#' })).to.equal('0011#442071838750');
    expect(formatForCarrier('+442071838750', { numberFormat: 'plus', techPrefix: '77' })).to.equal('77+442071838750');
  });

  it('given an enabled carrier with credentials, then its endpoint authenticates outbound with its own auth row, and its inbound calls are recognised by address', function () {
    const identity = carrierIdentityFor(carrier({ authUsername: 'acct' }), 'pw');
    expect(identity.endpoint).to.include({ outboundAuth: 'carrier_0b7e6c1e2f0a4d8e', identifyBy: 'ip', context: 'from-carriers' });
    expect(identity.auth).to.deep.equal({ id: 'carrier_0b7e6c1e2f0a4d8e', authType: 'userpass', username: 'acct', password: 'pw' });
    expect(identity.identify).to.include({ match: '203.0.113.7' });
    expect(identity.registration).to.equal(null);
  });

  it('given the switch behind the SIP edge, then the carrier is also recognised by the header the edge adds; otherwise by address alone', function () {
    expect(carrierIdentityFor(carrier(), undefined, { behindEdge: true }).identify).to.deep.equal({
      id: 'carrier_0b7e6c1e2f0a4d8e',
      endpoint: 'carrier_0b7e6c1e2f0a4d8e',
      match: '203.0.113.7',
      matchHeader: 'X-Calling-Carrier: carrier_0b7e6c1e2f0a4d8e',
    });
    expect(carrierIdentityFor(carrier(), undefined).identify).to.include({ matchHeader: null });
  });

  it('given the switch behind the SIP edge, then calls to the carrier leave through the edge (its loose-routing outbound proxy), so the carrier sees the edge only; a switch without an edge sends them directly', function () {
    expect(carrierIdentityFor(carrier(), undefined, { behindEdge: true, edgeProxy: 'sip:198.18.1.2:5060' }).endpoint).to.include({ outboundProxy: 'sip:198.18.1.2:5060^3Blr' });
    expect(carrierIdentityFor(carrier(), undefined, { edgeProxy: 'sip:198.18.1.2:5060' }).endpoint).to.include({ outboundProxy: null });
    expect(carrierIdentityFor(carrier(), undefined, { behindEdge: true }).endpoint).to.include({ outboundProxy: null });
  });

  it('given a disabled carrier, then only its credentials remain: no endpoint, AOR, identify or registration refers to them', function () {
    const identity = carrierIdentityFor(carrier({ enabled: false, authUsername: 'acct', registration: { expirationSeconds: 3600, retryIntervalSeconds: 60 } }), 'pw');
    expect([identity.endpoint, identity.aor, identity.identify, identity.registration]).to.deep.equal([null, null, null, null]);
    expect(identity.auth).to.include({ username: 'acct', password: 'pw' });
  });

  it('given a carrier that wants registration, then the row registers with its credentials, derived URIs, and retries after refusals instead of giving up', function () {
    const registering = carrier({ transport: 'tcp', port: 5070, authUsername: 'acct', registration: { expirationSeconds: 900, retryIntervalSeconds: 30 } });
    expect(carrierIdentityFor(registering, 'pw').registration).to.deep.equal({
      id: 'carrier_0b7e6c1e2f0a4d8e',
      serverUri: 'sip:203.0.113.7:5070;transport=tcp',
      clientUri: 'sip:acct@203.0.113.7:5070',
      contactUser: null,
      expiration: 900,
      retryInterval: 30,
      forbiddenRetryInterval: 30,
      fatalRetryInterval: 30,
      maxRetries: 10_000,
      authRejectionPermanent: 'no',
      outboundAuth: 'carrier_0b7e6c1e2f0a4d8e',
      transport: 'transport-tcp',
    });
    const explicit = { serverUri: 'sip:registrar.example.net', clientUri: 'sip:4420@example.net', contactUser: '4420', expirationSeconds: 3600, retryIntervalSeconds: 60 };
    expect(effectiveRegistration(registering, explicit)).to.deep.equal(explicit);
  });
});
