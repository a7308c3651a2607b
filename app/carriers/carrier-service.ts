import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { type Clock } from '../shared/kernel';
import { type Carrier, type CarrierChange, type CarrierInput, CarrierNotFoundError, endpointIdOf, formatForCarrier, InvalidCarrierError } from './carrier';
import { carrierIdentityFor } from './carrier-identity';
import { type CarrierRepository } from './ports';

const HOST = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const TECH_PREFIX = /^[0-9*#]{0,16}$/;

function checkHost(host: string, field: string): void {
  if (!isIP(host) && !HOST.test(host)) throw new InvalidCarrierError(`${field} must be an IP address or a host name`, { field, value: host });
}

// "203.0.113.7", "203.0.113.7:5060", "198.51.100.0/24", comma separated.
function checkInboundMatch(match: string): void {
  for (const entry of match.split(',').map((part) => part.trim())) {
    const [address, rest] = entry.split(/[:/]/, 2);
    if (!address || isIP(address) === 0 || (rest !== undefined && !/^\d{1,5}$/.test(rest))) {
      throw new InvalidCarrierError('inboundMatch must list IP addresses, IP:port or IP/prefix, comma separated', { field: 'inboundMatch', value: entry });
    }
  }
}

// SIP trunks to the phone network: managed through the admin API, configured in Asterisk through
// PJSIP realtime rows (no reload), asked by the call state manager how to reach a number.
export class CarrierService {
  constructor(
    private readonly repository: CarrierRepository,
    private readonly clock: Clock,
  ) {}

  async create(input: CarrierInput): Promise<Carrier> {
    this.check(input);
    const id = randomUUID();
    const carrier = {
      id,
      name: input.name,
      endpointId: endpointIdOf(id),
      host: input.host,
      port: input.port ?? 5060,
      transport: input.transport ?? 'udp',
      ...(input.authUsername ? { authUsername: input.authUsername } : {}),
      numberFormat: input.numberFormat ?? 'plus',
      techPrefix: input.techPrefix ?? '',
      maxConcurrentCalls: input.maxConcurrentCalls ?? 100,
      enabled: input.enabled ?? true,
      inboundMatch: input.inboundMatch ?? input.host,
      allowAboveRetail: input.allowAboveRetail ?? false,
    };
    const now = this.clock.now();
    return this.repository.create(carrier, carrierIdentityFor({ ...carrier, createdAt: now, updatedAt: now }, input.authPassword));
  }

  async update(id: string, change: CarrierChange): Promise<Carrier> {
    this.check(change);
    const { authPassword, ...fields } = change;
    const current = await this.get(id);
    const password = authPassword ?? (await this.repository.passwordOf(current.endpointId));
    const updated = await this.repository.update(id, fields, (carrier) => carrierIdentityFor(carrier, password));
    if (!updated) throw new CarrierNotFoundError(id);
    return updated;
  }

  async get(id: string): Promise<Carrier> {
    const carrier = await this.repository.find(id);
    if (!carrier) throw new CarrierNotFoundError(id);
    return carrier;
  }

  list(): Promise<Carrier[]> {
    return this.repository.list();
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.softDelete(id, this.clock.now()))) throw new CarrierNotFoundError(id);
  }

  // CarrierDirectory (call-state): how to send this E.164 number to this carrier.
  async dialTarget(carrierId: string, destination: string): Promise<{ carrierId: string; endpoint: string; maxConcurrentCalls: number } | undefined> {
    const carrier = await this.repository.find(carrierId);
    if (!carrier || !carrier.enabled) return undefined;
    return { carrierId, endpoint: `PJSIP/${formatForCarrier(destination, carrier)}@${carrier.endpointId}`, maxConcurrentCalls: carrier.maxConcurrentCalls };
  }

  async carrierOfEndpoint(endpointId: string): Promise<string | undefined> {
    return (await this.repository.findByEndpoint(endpointId))?.id;
  }

  private check(input: CarrierChange): void {
    if (input.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 ._-]{1,63}$/.test(input.name)) {
      throw new InvalidCarrierError('name must be 2-64 letters, digits, spaces, dots, dashes or underscores', { field: 'name' });
    }
    if (input.host !== undefined) checkHost(input.host, 'host');
    if (input.port !== undefined && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) {
      throw new InvalidCarrierError('port must be 1-65535', { field: 'port' });
    }
    if (input.techPrefix !== undefined && !TECH_PREFIX.test(input.techPrefix)) {
      throw new InvalidCarrierError('techPrefix must be up to 16 digits, * or #', { field: 'techPrefix' });
    }
    if (input.maxConcurrentCalls !== undefined && (!Number.isInteger(input.maxConcurrentCalls) || input.maxConcurrentCalls < 1 || input.maxConcurrentCalls > 100_000)) {
      throw new InvalidCarrierError('maxConcurrentCalls must be 1-100000', { field: 'maxConcurrentCalls' });
    }
    if ((input.authUsername === undefined) !== (input.authPassword === undefined) && input.authUsername !== undefined) {
      throw new InvalidCarrierError('authUsername and authPassword go together', { field: 'authPassword' });
    }
    if (input.inboundMatch !== undefined) checkInboundMatch(input.inboundMatch);
  }
}
