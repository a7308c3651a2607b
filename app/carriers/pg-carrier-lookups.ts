import { type SqlQueries } from '../shared/infra/sql';
import { type Carrier } from './carrier';
import { type CarrierRow, toCarrier } from './carrier-rows';
import { type CarrierLookups } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `id, name, endpoint_id AS "endpointId", host, port, transport, auth_username AS "authUsername", number_format AS "numberFormat",
  tech_prefix AS "techPrefix", max_concurrent_calls AS "maxConcurrentCalls", enabled, inbound_match AS "inboundMatch",
  allow_above_retail AS "allowAboveRetail", register, registration_server_uri AS "registrationServerUri",
  registration_client_uri AS "registrationClientUri", registration_contact_user AS "registrationContactUser",
  registration_expiration_seconds AS "registrationExpirationSeconds", registration_retry_seconds AS "registrationRetrySeconds",
  emergency, emergency_countries AS "emergencyCountries", created_at AS "createdAt", updated_at AS "updatedAt"`;

// Carriers not deleted, by id or by their PJSIP endpoint, through plain SQL: an outbound call
// reads its carrier for every attempt, a call from the phone network the carrier it came from.
export class PgCarrierLookups implements CarrierLookups {
  constructor(private readonly sql: SqlQueries) {}

  async find(id: string): Promise<Carrier | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await this.sql.query<CarrierRow>(`SELECT ${COLUMNS} FROM carriers WHERE id = $1 AND deleted_at IS NULL LIMIT 1`, [id], 'carriers-by-id');
    return row && toCarrier(row);
  }

  async findByEndpoint(endpointId: string): Promise<Carrier | undefined> {
    const [row] = await this.sql.query<CarrierRow>(`SELECT ${COLUMNS} FROM carriers WHERE endpoint_id = $1 AND deleted_at IS NULL LIMIT 1`, [endpointId], 'carriers-by-endpoint');
    return row && toCarrier(row);
  }
}
