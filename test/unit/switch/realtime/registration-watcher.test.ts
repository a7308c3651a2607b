import { expect } from 'chai';
import { ConnectionEventSchema, deterministicEventId } from '../../../../app/shared/events';
import { InvalidRegistrationChangeError, type RegistrationChange, toConnectionEvent, transportOf } from '../../../../app/switch/realtime/registration-watcher';

const change = (overrides: Partial<RegistrationChange> = {}): RegistrationChange => ({
  id: 42n,
  op: 'registered',
  contactId: 'alice^3B@5c1d2e',
  endpoint: 'alice',
  uri: 'sip:alice@127.0.0.1:40000',
  userAgent: 'sipp-device',
  viaAddr: '127.0.0.1',
  viaPort: 40000,
  expirationTime: 1_795_574_886n,
  previousExpirationTime: null,
  changedAt: new Date('2026-11-25T02:43:06.415Z'),
  ...overrides,
});

describe('registration watcher: registration change to connection event', function () {
  it('given an insert of a contact, then connection.v1.registered with the contact, transport, user agent and expiry', function () {
    const event = toConnectionEvent(change());
    expect(event).to.deep.equal({
      id: deterministicEventId('registration-change', '42'),
      version: 1,
      type: 'connection.v1.registered',
      occurredAt: '2026-11-25T02:43:06.415Z',
      username: 'alice',
      connectionId: 'alice^3B@5c1d2e',
      contactUri: 'sip:alice@127.0.0.1:40000',
      transport: 'udp',
      userAgent: 'sipp-device',
      expiresAt: new Date(1_795_574_886_000).toISOString(),
    });
    expect(ConnectionEventSchema.safeParse(event).success).to.equal(true);
  });

  it('given a refresh, an expiry and an unregistration, then the matching event types, each with only its own fields', function () {
    expect(toConnectionEvent(change({ op: 'refreshed', previousExpirationTime: 1n }))).to.include({ type: 'connection.v1.refreshed', expiresAt: new Date(1_795_574_886_000).toISOString() });
    const expired = toConnectionEvent(change({ op: 'expired' }));
    expect(expired.type).to.equal('connection.v1.expired');
    expect(expired).to.not.have.any.keys('expiresAt', 'userAgent', 'transport');
    expect(toConnectionEvent(change({ op: 'unregistered' })).type).to.equal('connection.v1.unregistered');
  });

  it('the event id depends only on the row id, so a republished row is the same message', function () {
    expect(toConnectionEvent(change()).id).to.equal(toConnectionEvent(change({ userAgent: 'other' })).id);
    expect(toConnectionEvent(change()).id).to.not.equal(toConnectionEvent(change({ id: 43n })).id);
  });

  it('given a contact without endpoint, then the username comes from the contact id', function () {
    expect(toConnectionEvent(change({ endpoint: null })).username).to.equal('alice');
    expect(toConnectionEvent(change({ endpoint: null, contactId: 'bob;@77aa' })).username).to.equal('bob');
  });

  it('given a browser registered as its user\'s web identity over a websocket, then the event is its user\'s, with transport ws', function () {
    const event = toConnectionEvent(change({ endpoint: 'alice~web', contactId: 'alice~web;@9f1c', uri: 'sip:k3j2@df7jal23ls0d.invalid^3Btransport=ws' }));
    expect(event).to.include({ username: 'alice', transport: 'ws' });
  });

  it('given a row no event can describe, then InvalidRegistrationChangeError', function () {
    expect(() => toConnectionEvent(change({ op: 'renamed' }))).to.throw(InvalidRegistrationChangeError, /unknown op/);
    expect(() => toConnectionEvent(change({ endpoint: null, contactId: 'no-separator' }))).to.throw(InvalidRegistrationChangeError, /no endpoint/);
  });

  it('reads the transport from the contact URI: its transport parameter, sips for TLS, otherwise UDP', function () {
    expect(transportOf('sip:a@10.0.0.1:5060;transport=TCP')).to.equal('tcp');
    expect(transportOf('sip:a@10.0.0.1:5060;ob;transport=ws')).to.equal('ws');
    expect(transportOf('sip:k3j2@198.51.100.7:50312^3Balias=198.51.100.7~50312~6'), 'a browser behind the edge, wss').to.equal('wss');
    expect(transportOf('sip:k3j2@198.51.100.7:50312;alias=198.51.100.7~50312~5'), 'ws').to.equal('ws');
    expect(transportOf('sips:a@10.0.0.1:5061')).to.equal('tls');
    expect(transportOf('sip:a@10.0.0.1:5060')).to.equal('udp');
    expect(transportOf(null)).to.equal('udp');
  });

  it('given a contact over TLS as Asterisk realtime stores it (";" as ^3B), then the event carries the URI as the device wrote it and transport tls', function () {
    const event = toConnectionEvent(change({ uri: 'sip:alice-0x55@198.18.3.1:41611^3Btransport=tls' }));
    expect(event.contactUri).to.equal('sip:alice-0x55@198.18.3.1:41611;transport=tls');
    expect(event.type === 'connection.v1.registered' && event.transport).to.equal('tls');
  });
});
