import { BlockList, isIP } from 'node:net';

// ADMIN_TRUSTED_PROXIES (checked by the config) as express's trust proxy function: a hop is
// believed only if it comes from one of these addresses or blocks, never every hop.
export function trustedProxyCheck(entries: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/', 2);
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

