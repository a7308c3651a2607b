import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../app/config';
import { trustedProxyCheck } from '../../../app/admin-api/trusted-proxies';

describe('config: admin API exposure and the edge RPC', function () {
  it('given no exposure settings, then the admin API is plain HTTP on the loopback, trusting no proxy, and no edge is known', function () {
    const config = loadConfig({});
    expect(config.admin).to.include({ host: '127.0.0.1', inClearBeyondLoopback: false });
    expect(config.admin.tls).to.equal(undefined);
    expect(config.admin.trustedProxies).to.deep.equal([]);
    expect(config.edge).to.equal(undefined);
  });

  it('given a certificate without its key (or the reverse), then the config is refused by name', function () {
    expect(() => loadConfig({ ADMIN_TLS_CERT_FILE: '/etc/calling/admin.crt' })).to.throw(ConfigError, /ADMIN_TLS_KEY_FILE/);
    expect(() => loadConfig({ ADMIN_TLS_KEY_FILE: '/etc/calling/admin.key' })).to.throw(ConfigError, /ADMIN_TLS_KEY_FILE/);
    const config = loadConfig({ ADMIN_HOST: '0.0.0.0', ADMIN_TLS_CERT_FILE: '/etc/calling/admin.crt', ADMIN_TLS_KEY_FILE: '/etc/calling/admin.key' });
    expect(config.admin.tls).to.deep.equal({ certFile: '/etc/calling/admin.crt', keyFile: '/etc/calling/admin.key' });
    expect(config.admin.inClearBeyondLoopback).to.equal(false);
  });

  it('given a non-loopback address without TLS or a proxy, then it is marked as tokens in clear (warned about at start)', function () {
    expect(loadConfig({ ADMIN_HOST: '0.0.0.0' }).admin.inClearBeyondLoopback).to.equal(true);
    expect(loadConfig({ ADMIN_HOST: '10.0.0.5', ADMIN_TRUSTED_PROXIES: '10.0.0.1' }).admin.inClearBeyondLoopback).to.equal(false);
  });

  it('given trusted proxies, then addresses and CIDR blocks are taken and anything else is refused by name', function () {
    expect(loadConfig({ ADMIN_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1' }).admin.trustedProxies).to.deep.equal(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(() => loadConfig({ ADMIN_TRUSTED_PROXIES: '10.0.0.1,proxy.example,10.0.0.0/33' })).to.throw(ConfigError, /ADMIN_TRUSTED_PROXIES: .*proxy\.example, 10\.0\.0\.0\/33/);
  });

  it('given trusted proxies, then only their hops are believed: an address inside a block or listed, IPv4-mapped too; never another', function () {
    const trusted = trustedProxyCheck(['10.0.0.1', '192.168.0.0/16']);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '192.168.44.3'].map(trusted)).to.deep.equal([true, true, true]);
    expect(['10.0.0.2', '203.0.113.7', 'not-an-address', '::1'].map(trusted)).to.deep.equal([false, false, false, false]);
  });

  it('given the edge RPC, then it must be udp://host:port', function () {
    expect(loadConfig({ EDGE_RPC_URL: 'udp://198.18.0.2:5090' }).edge).to.deep.equal({ rpcUrl: 'udp://198.18.0.2:5090', rpcTimeoutMs: 2000 });
    expect(() => loadConfig({ EDGE_RPC_URL: 'http://198.18.0.2:5090' })).to.throw(ConfigError, /EDGE_RPC_URL/);
    expect(() => loadConfig({ EDGE_RPC_URL: 'udp://198.18.0.2' })).to.throw(ConfigError, /EDGE_RPC_URL: needs a port/);
  });
});
