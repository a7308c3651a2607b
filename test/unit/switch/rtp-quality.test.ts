import { expect } from 'chai';
import { parseQosVariable, toRtpQuality } from '../../../app/switch/ari-switch-control';

describe('RTP quality from Asterisk', function () {
  it('converts ARI rtp_statistics (seconds) to milliseconds and leaves out an RTT and MES Asterisk could not measure', function () {
    const quality = toRtpQuality({ rxcount: 500, txcount: 498, rxploss: 3, txploss: 1, rxjitter: 0.00075, txjitter: 0.0125, rtt: 0, rxmes: 0 });
    expect(quality).to.deep.equal({ rxPackets: 500, txPackets: 498, rxPacketsLost: 3, txPacketsLost: 1, rxJitterMs: 0.75, txJitterMs: 12.5 });
    expect(toRtpQuality({ rxcount: 1, txcount: 1, rxploss: 0, txploss: 0, rxjitter: 0, txjitter: 0, rtt: 0.042, rxmes: 88.5 })).to.include({ rttMs: 42, mes: 88.5 });
  });

  it('reads the statistics Asterisk leaves on the bridged peer of a channel that hung up', function () {
    const quality = parseQosVariable('ssrc=1506113921;themssrc=3739283087;lp=2;rxjitter=0.000750;rxcount=101;txjitter=0.001125;txcount=99;rlp=1;rtt=0.020000;rxmes=91.5;txmes=90.0');
    expect(quality).to.deep.equal({ rxPackets: 101, txPackets: 99, rxPacketsLost: 2, txPacketsLost: 1, rxJitterMs: 0.75, txJitterMs: 1.125, rttMs: 20, mes: 91.5 });
  });

  it('gives nothing for an empty or foreign variable', function () {
    expect(parseQosVariable('')).to.equal(undefined);
    expect(parseQosVariable('something else')).to.equal(undefined);
  });
});
