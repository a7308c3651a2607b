import { expect } from 'chai';
import { Call, type CallSnapshot, type Party, restoreState } from '../../../app/call-state';
import { CorruptCallStateError, decodeCall, encodeCall, FORMAT_VERSION, UnencodableCallError } from '../../../app/call-state/call-codec';
import { type CallId } from '../../../app/shared/kernel';

const alice: Party & { channelId: string } = {
  userId: '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b1c23',
  username: 'alice.martin',
  phoneNumber: '+14155550101',
  channelId: '1795600800.123', // Asterisk's id: the second the channel was created, and a sequence number
};
const bob: Party = { userId: '0b9d8e7f-6a5c-4b3d-8e2f-1a0c9b8d7e6f', username: 'bob.nguyen', phoneNumber: '+442071838750' };
const legIds = ['3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9', '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d', 'c1d2e3f4-a5b6-4c7d-8e9f-a0b1c2d3e4f5'];
const t0 = new Date('2026-11-25T10:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

function requested(): Call {
  return Call.start('5e8f0c1a-2b3c-4d5e-8f70-a1b2c3d4e5f6' as CallId, alice, 'bob.nguyen', t0);
}

function routing(legs = 2, carrierId?: string): Call {
  const call = requested();
  call.apply((state) => state.route(), at(12));
  call.callee = bob;
  call.carrierId = carrierId;
  call.ringDeadline = t0.getTime() + 30_012;
  for (const channelId of legIds.slice(0, legs)) {
    call.legs.push({
      channelId,
      contactUri: carrierId ? 'sip:+442071838750@sip.carrier-a.example.net' : `sip:bob.nguyen@203.0.113.${call.legs.length + 7}:5062;transport=udp`,
      ...(carrierId ? { carrierId } : {}),
      state: { name: 'dialing' },
      invitedAt: t0.getTime() + 14,
    });
  }
  return call;
}

function ringing(carrierId?: string): Call {
  const call = routing(2, carrierId);
  call.apply((state) => state.ring(), at(180));
  for (const leg of call.legs) Object.assign(leg, { progressAt: t0.getTime() + 180, state: { name: 'ringing' } });
  return call;
}

function answered(carrierId?: string): Call {
  const call = ringing(carrierId);
  const [winner, loser] = call.legs;
  call.apply((state) => state.answer(winner?.channelId ?? ''), at(4_250));
  if (winner) winner.state = { name: 'answered' };
  if (loser) loser.state = { name: 'cancelled', released: true };
  return call;
}

function ended(): Call {
  const call = ringing();
  for (const leg of call.legs) leg.state = { name: 'failed', outcome: 'busy', sipCode: 486, released: true };
  call.apply((state) => state.end('busy'), at(2_000));
  call.sipCode = 486;
  return call;
}

// What the snapshot means, without keys whose value is undefined (the codec stores absence).
const plain = (snapshot: CallSnapshot): CallSnapshot => JSON.parse(JSON.stringify(snapshot)) as CallSnapshot;
const roundTrip = (snapshot: CallSnapshot): CallSnapshot => decodeCall(encodeCall(snapshot));

describe('call codec', function () {
  const cases: [string, () => Call][] = [
    ['requested', requested],
    ['routing with 3 legs', () => routing(3)],
    ['ringing', () => ringing()],
    ['answered', () => answered()],
    ['answered through a carrier', () => answered('carrier-a')],
    ['ended busy with SIP 486', ended],
  ];
  for (const [name, make] of cases) {
    it(`given a ${name} call, when encoded and decoded, then every field comes back and the call restores to the same state`, function () {
      const snapshot = make().snapshot();
      const decoded = roundTrip(snapshot);
      expect(decoded).to.deep.equal(plain(snapshot));
      const restored = Call.restore(decoded, restoreState(decoded.state, decoded));
      expect(plain(restored.snapshot())).to.deep.equal(plain(snapshot));
    });
  }

  it('given every optional field set, including an answered leg not released and a leg carrier, then each one survives the round trip', function () {
    const snapshot: CallSnapshot = {
      ...answered('carrier-a').snapshot(),
      endCause: 'terminated',
      sipCode: 200,
      talkLimitSeconds: 3600,
    };
    snapshot.legs = [{ ...snapshot.legs[0]!, carrierId: 'carrier-b' }, ...snapshot.legs.slice(1)];
    expect(roundTrip(snapshot)).to.deep.equal(plain(snapshot));
  });

  it('given an outbound call through carriers with the SIP code of each failed attempt, then direction and codes survive the round trip', function () {
    const snapshot: CallSnapshot = { ...answered('carrier-a').snapshot(), direction: 'outbound' };
    snapshot.legs = snapshot.legs.map((leg, index) => (index === 0 ? { ...leg, state: { name: 'failed', outcome: 'congestion', sipCode: 503, released: true } } : leg));
    const back = roundTrip(snapshot);
    expect(back.direction).to.equal('outbound');
    expect(back.legs[0]?.state).to.deep.equal({ name: 'failed', outcome: 'congestion', sipCode: 503, released: true });
    expect(back).to.deep.equal(plain(snapshot));
  });

  it('given the controller instance that owns the call, then it survives the round trip; a call of version 3 (before owners) reads as owned by nobody', function () {
    const snapshot: CallSnapshot = { ...answered().snapshot(), owner: 'controller-2' };
    expect(roundTrip(snapshot)).to.deep.equal(plain(snapshot));
    const withoutOwner = answered().snapshot();
    const value = encodeCall(withoutOwner);
    expect(value[value.length - 1], 'an empty owner is one byte').to.equal(0);
    const version3 = Buffer.from(value.subarray(0, value.length - 1));
    version3[0] = 3;
    const back = decodeCall(version3);
    expect(back.owner).to.equal(undefined);
    expect(back).to.deep.equal(plain(withoutOwner));
  });

  it('given an emergency call, then the mark survives the round trip; a call of version 4 (before the mark) reads as no emergency call', function () {
    const snapshot: CallSnapshot = { ...answered('carrier-a').snapshot(), emergency: true };
    expect(roundTrip(snapshot)).to.deep.equal(plain(snapshot));
    const ordinary = answered('carrier-a').snapshot();
    const version4 = Buffer.from(encodeCall(ordinary));
    version4[0] = 4;
    expect(decodeCall(version4).emergency, 'an ordinary call has no second flags byte').to.equal(undefined);
    const unknownFlag = encodeCall(snapshot);
    unknownFlag[unknownFlag.length - 1] = 16;
    expect(() => decodeCall(unknownFlag)).to.throw(CorruptCallStateError);
    const version5 = encodeCall({ ...snapshot, restricted: true });
    version5[0] = 5;
    expect(() => decodeCall(version5), 'version 5 knew only the emergency bit').to.throw(CorruptCallStateError);
  });

  it('given a call hunting carriers with its number withheld, and a click-to-call ringing its caller, then their phases survive the round trip within a few bytes', function () {
    const hunting: CallSnapshot = {
      ...answered('carrier-a').snapshot(),
      state: 'ringing',
      restricted: true,
      carriersLeft: ['0f1e2d3c-4b5a-4968-8776-655443322110', '1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d'],
    };
    delete hunting.answeredLeg;
    expect(roundTrip(hunting)).to.deep.equal(plain(hunting));
    const base = { ...hunting };
    delete base.carriersLeft;
    delete base.restricted;
    // Two carrier ids (a kind byte and 16 bytes each as UUIDs), a count and the flags byte.
    expect(encodeCall(hunting).length - encodeCall(base).length).to.be.at.most(36);
    const ringingCaller: CallSnapshot = {
      id: hunting.id,
      caller: { ...alice, channelId: '' },
      dialed: bob.username,
      state: 'requested',
      legs: [],
      history: [{ state: 'requested', at: 1_795_600_800_000 }],
      callerDevices: ['1795600800.7', '1795600800.8'],
    };
    expect(roundTrip(ringingCaller)).to.deep.equal(plain(ringingCaller));
  });

  it('given carrier legs progressing (183), released, failed with a code, and the early media bridged, then every leg state and the bridged channels survive the round trip', function () {
    const call = routing(2, 'carrier-a');
    call.apply((state) => state.ring(), at(180));
    const [first, second] = call.legs;
    Object.assign(first!, { progressAt: t0.getTime() + 150, state: { name: 'failed', outcome: 'congestion', sipCode: 503, released: true } });
    Object.assign(second!, { progressAt: t0.getTime() + 170, state: { name: 'progressing' } });
    const snapshot: CallSnapshot = { ...call.snapshot(), earlyMedia: [alice.channelId, first!.channelId, second!.channelId] };
    expect(roundTrip(snapshot)).to.deep.equal(plain(snapshot));
    second!.state = { name: 'progressing', released: true };
    expect(roundTrip(call.snapshot()).legs[1]?.state).to.deep.equal({ name: 'progressing', released: true });
    second!.state = { name: 'dialing', released: true };
    second!.progressAt = undefined;
    expect(roundTrip(plain(call.snapshot())).legs[1]?.state).to.deep.equal({ name: 'dialing', released: true });
  });

  it('given a call of version 6 with a leg that made progress and one whose channel was gone, then they read as ringing and released', function () {
    const call = ringing('carrier-a');
    call.legs[1]!.state = { name: 'failed', outcome: 'busy', released: true };
    const version6 = encodeCall(call.snapshot());
    version6[0] = 6;
    const back = decodeCall(version6);
    expect(back.legs.map((leg) => leg.state)).to.deep.equal([{ name: 'ringing' }, { name: 'failed', outcome: 'busy', released: true }]);
  });

  it('given a call stored by version 1 (before talk limits), then version 2 still reads it', function () {
    const snapshot: CallSnapshot = answered('carrier-a').snapshot();
    delete snapshot.talkLimitSeconds;
    const value = encodeCall(snapshot).subarray(0, -1); // without the version 4 owner
    value[0] = 1;
    expect(plain(decodeCall(value))).to.deep.equal(plain(snapshot));
    value.writeUInt8((value[2] ?? 0) | 32, 2);
    expect(() => decodeCall(value), 'version 1 has no talk-limit flag').to.throw(CorruptCallStateError);
  });

  it('given strings that only look like UUIDs, channel ids, numbers or contacts, then they come back byte for byte', function () {
    const oddities = ['6F1C2A9E-3B7D-4C1E-9A52-0D8E4F7B1C23', '0123.5', '17.05', '5.7', '99999999999999.1', '+0123', '+1234567890123456', 'sip:bob@10.0.0.1:05060', 'sip:bob@10.0.0.1:65536',
      'sip:bob@010.0.0.1:5060', 'sip:bob@10.0.0.1:5060;transport=UDP', 'sip:bob@10.0.0.1;ob', 'sip:bob@10.0.0.1:5062;rinstance=3f2a9c1e8b7d6a5f;transport=UDP', 'sip:bob@10.0.0.1:5062;transport=udp;ob', 'sips:bob@10.0.0.1', 'sip:bob@host.example;transport=tls', '', 'zoë 東京 ☎'];
    for (const text of oddities) {
      const snapshot: CallSnapshot = { ...requested().snapshot(), dialed: text, caller: { ...alice, username: text, channelId: text } };
      snapshot.legs = [{ channelId: text, contactUri: text, state: { name: 'dialing' } }];
      expect(roundTrip(snapshot), text).to.deep.equal(plain(snapshot));
    }
  });

  it('given times before the request and out of order, then they are kept exactly', function () {
    const snapshot = ringing().snapshot();
    snapshot.legs = [{ channelId: 'x', contactUri: 'y', state: { name: 'progressing' }, invitedAt: t0.getTime() - 5_000, progressAt: t0.getTime() - 9_000 }];
    snapshot.history = [...snapshot.history, { state: 'routing', at: t0.getTime() - 1 }];
    snapshot.ringDeadline = t0.getTime() - 7;
    expect(roundTrip(snapshot)).to.deep.equal(plain(snapshot));
  });

  it('given a value of an unknown format version, then decoding throws CorruptCallStateError naming the version', function () {
    const value = encodeCall(answered().snapshot());
    value[0] = FORMAT_VERSION + 1;
    expect(() => decodeCall(value)).to.throw(CorruptCallStateError).with.property('details').that.deep.includes({ version: FORMAT_VERSION + 1 });
  });

  it('given any truncation of a valid value, then decoding throws CorruptCallStateError rather than returning a partial call', function () {
    const value = encodeCall(answered('carrier-a').snapshot());
    for (let length = 0; length < value.length; length++) {
      expect(() => decodeCall(value.subarray(0, length)), `length ${length}`).to.throw(CorruptCallStateError);
    }
  });

  it('given trailing bytes, unknown flags, an unknown state or a garbage string, then decoding throws CorruptCallStateError saying why', function () {
    const value = encodeCall(answered().snapshot());
    const corrupt: [Buffer, string][] = [
      [Buffer.concat([value, Buffer.from([0])]), 'trailing bytes'],
      [Buffer.from([2, 0, 0x80]), 'unknown flags'], // version 2 knew 6 flags
      [Buffer.concat([Buffer.from([FORMAT_VERSION, 7]), value.subarray(2)]), 'unknown state code'],
      [Buffer.from([FORMAT_VERSION, 0, 0, 0, 7]), 'unknown string kind'],
      [Buffer.from([FORMAT_VERSION, 0, 0, 0, 9]), 'dangling string reference'], // string 1 of none
      [Buffer.from([FORMAT_VERSION, 0, 0, 0, 5, 7 << 2]), 'unknown SIP URI parameters'],
      [Buffer.from('{"id":"not binary"}'), 'unknown format version'],
    ];
    for (const [bytes, reason] of corrupt) {
      expect(() => decodeCall(bytes), reason)
        .to.throw(CorruptCallStateError)
        .that.satisfies((error: CorruptCallStateError) => error.code === 'CALL_STATE.CORRUPT' && error.details.reason === reason);
    }
  });

  it('given a state or cause the format has no code for, then encoding throws UnencodableCallError instead of storing something unreadable', function () {
    const snapshot = { ...ended().snapshot(), endCause: 'exploded' } as unknown as CallSnapshot;
    expect(() => encodeCall(snapshot)).to.throw(UnencodableCallError);
    expect(() => encodeCall({ ...requested().snapshot(), sipCode: 1.5 })).to.throw(UnencodableCallError);
  });

  // Budget 188 bytes. Redis keeps a value over 44 bytes as an SDS string (3-byte header + value + NUL)
  // in a jemalloc size class (..., 160, 192, 224, ...): up to 188 bytes the value takes 192 bytes of
  // memory. An answered call to two devices is the common live call; 80 of its bytes are five random
  // UUIDs (call, two users, two legs) that no encoding can shrink. Its JSON is over 4 times larger.
  it('given an answered call to two devices, then it encodes in at most 188 bytes (the 192-byte Redis allocation)', function () {
    const snapshot = { ...answered().snapshot(), owner: 'controller-1' };
    const size = encodeCall(snapshot).length;
    expect(size).to.be.at.most(188);
    expect(Buffer.byteLength(JSON.stringify(snapshot))).to.be.greaterThan(4 * size);
  });
});
