import { randomUUID } from 'node:crypto';
import { type Clock } from '../shared/kernel';
import { type DirectoryChanges } from '../shared/events';
import { carrierDialString } from '../switch';
import { type Carrier, type CarrierChange, type CarrierInput, CarrierNotFoundError, endpointIdOf, formatForCarrier, InvalidCarrierError, REGISTRATION_DEFAULTS, type RegistrationInput, type RegistrationSettings } from './carrier';
import { carrierIdentityFor, type IdentityOptions } from './carrier-identity';
import { type CarrierRegistrations } from './carrier-registrations';
import { checkCarrierFields } from './carrier-validation';
import { type CarrierRepository } from './ports';

const settingsOf = (input: RegistrationInput): RegistrationSettings => ({ ...REGISTRATION_DEFAULTS, ...input });

// Rules over the whole carrier as it will be after a create or an update.
function checkCarrier(carrier: Pick<Carrier, 'authUsername' | 'registration'> & Partial<Pick<Carrier, 'emergency' | 'emergencyCountries'>>, passwordGiven: boolean): void {
  if (carrier.emergency && (carrier.emergencyCountries ?? []).length === 0) {
    throw new InvalidCarrierError('an emergency carrier needs the countries whose emergency calls it takes (emergencyCountries)', { field: 'emergencyCountries' });
  }
  if (passwordGiven && carrier.authUsername === undefined) {
    throw new InvalidCarrierError('authPassword needs an authUsername', { field: 'authUsername' });
  }
  if (carrier.registration && carrier.registration.clientUri === undefined && carrier.authUsername === undefined) {
    throw new InvalidCarrierError('a registration needs a registration.clientUri when the carrier has no authUsername', { field: 'registration.clientUri' });
  }
}

// SIP trunks to the phone network: managed through the admin API, configured in Asterisk through
// PJSIP realtime rows (no reload), asked by the call state manager how to reach a number.
export class CarrierService {
  constructor(
    private readonly repository: CarrierRepository,
    private readonly registrations: CarrierRegistrations,
    private readonly clock: Clock,
    private readonly identityOptions: IdentityOptions = {},
    // Told of every change of a carrier's SIP identity (every node's switch caches it).
    private readonly changes?: DirectoryChanges,
  ) {}

  async create(input: CarrierInput): Promise<Carrier> {
    checkCarrierFields(input);
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
      ...(input.registration ? { registration: settingsOf(input.registration) } : {}),
      emergency: input.emergency ?? false,
      emergencyCountries: [...new Set(input.emergencyCountries ?? [])],
    };
    checkCarrier(carrier, input.authPassword !== undefined);
    const now = this.clock.now();
    const created = await this.repository.create(carrier, carrierIdentityFor({ ...carrier, createdAt: now, updatedAt: now }, input.authPassword, this.identityOptions));
    await this.registrations.changed(undefined, created);
    return created;
  }

  async update(id: string, change: CarrierChange): Promise<Carrier> {
    checkCarrierFields(change);
    const { authPassword, ...fields } = change;
    const current = await this.get(id);
    const next = {
      authUsername: fields.authUsername ?? current.authUsername,
      registration: fields.registration === undefined ? current.registration : fields.registration ? settingsOf(fields.registration) : undefined,
      emergency: fields.emergency ?? current.emergency,
      emergencyCountries: fields.emergencyCountries ?? current.emergencyCountries,
    };
    checkCarrier(next, authPassword !== undefined);
    // The password lives only in the auth row, which is kept while the carrier is disabled.
    const password = authPassword ?? (await this.repository.passwordOf(current.endpointId));
    const updated = await this.repository.update(id, fields, (carrier) => carrierIdentityFor(carrier, password, this.identityOptions));
    if (!updated) throw new CarrierNotFoundError(id);
    await this.changes?.changed({ kind: 'carrier', endpointId: current.endpointId });
    await this.registrations.changed(current, updated);
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
    const current = await this.repository.find(id);
    if (!current || !(await this.repository.softDelete(id, this.clock.now()))) throw new CarrierNotFoundError(id);
    await this.changes?.changed({ kind: 'carrier', endpointId: current.endpointId });
    await this.registrations.changed(current, undefined);
  }

  // Makes the trunks of carriers written before the switch went behind the edge (or out from
  // behind it) send their calls as the current ones do: through the edge, or straight. The number
  // of trunks changed.
  alignOutboundProxy(): Promise<number> {
    const { behindEdge, edgeProxy } = this.identityOptions;
    return this.repository.setOutboundProxy(behindEdge === true && edgeProxy ? `${edgeProxy}^3Blr` : null);
  }

  // Pushes every registering carrier to the switch (after it (re)connected: a restarted Asterisk
  // registers with nobody until asked). Resolves to the number of registering carriers.
  syncRegistrations(): Promise<number> {
    return this.registrations.syncAll();
  }

  // CarrierDirectory (call-state): how to send this E.164 number to this carrier.
  async dialTarget(carrierId: string, destination: string): Promise<{ carrierId: string; endpoint: string; maxConcurrentCalls: number } | undefined> {
    const carrier = await this.repository.find(carrierId);
    if (!carrier || !carrier.enabled) return undefined;
    return { carrierId, endpoint: carrierDialString(formatForCarrier(destination, carrier), carrier.endpointId), maxConcurrentCalls: carrier.maxConcurrentCalls };
  }

  // EmergencyCarrierSource (call-policy): the enabled emergency carriers, by name (the order to try
  // them), each with how to send it an emergency number.
  async emergencyCarriers(): Promise<{ carrierId: string; countries: string[]; dialString: (number: string) => string; maxConcurrentCalls: number }[]> {
    const carriers = (await this.repository.list()).filter((carrier) => carrier.emergency && carrier.enabled);
    return carriers.map((carrier) => ({
      carrierId: carrier.id,
      countries: carrier.emergencyCountries,
      // A short number goes as dialled (no '+'), after the carrier's tech prefix.
      dialString: (number: string) => carrierDialString(`${carrier.techPrefix}${number}`, carrier.endpointId),
      maxConcurrentCalls: carrier.maxConcurrentCalls,
    }));
  }

  // CarrierDirectory (call-state): the carrier a call came in from. A disabled carrier is none: its
  // calls are refused (Asterisk no longer recognises it either; this covers a call identified just
  // before it was disabled).
  async carrierOfEndpoint(endpointId: string): Promise<string | undefined> {
    const carrier = await this.repository.findByEndpoint(endpointId);
    return carrier?.enabled ? carrier.id : undefined;
  }
}
