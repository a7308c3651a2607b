import { type OutboundRegistrations } from '../../carriers';
import { type AriRest } from '../ari-rest';

// Outbound registrations through ARI, without a PJSIP reload:
// - reading a registration through ARI's dynamic configuration makes res_pjsip_outbound_registration
//   apply that one row (its sorcery apply handler runs on every realtime read); an unchanged row
//   keeps its registration as it is;
// - reloading that one module purges the registrations whose rows are gone (it unregisters them).
//   It reloads nothing else: endpoints, transports and calls are untouched.
export class AriOutboundRegistrations implements OutboundRegistrations {
  constructor(private readonly ari: AriRest) {}

  async apply(registrationId: string): Promise<void> {
    await this.ari.get(`/asterisk/config/dynamic/res_pjsip/registration/${encodeURIComponent(registrationId)}`);
  }

  async purge(): Promise<void> {
    await this.ari.request('PUT', '/asterisk/modules/res_pjsip_outbound_registration.so');
  }
}
