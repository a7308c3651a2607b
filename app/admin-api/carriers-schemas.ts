import { z } from 'zod';

const RegistrationRequest = z
  .object({
    serverUri: z.string().min(5).max(255).optional().meta({ description: "the carrier's registrar, Request-URI of the REGISTER (default sip:host:port)", example: 'sip:sip.carrier.example' }),
    clientUri: z.string().min(5).max(255).optional().meta({ description: 'our address of record with the carrier (default sip:authUsername@host:port)' }),
    contactUser: z.string().min(1).max(40).optional().meta({ description: "user part of our Contact (default Asterisk's: s)" }),
    expirationSeconds: z.number().int().min(60).max(86_400).optional().meta({ description: 'registration lifetime asked for (default 3600)' }),
    retryIntervalSeconds: z.number().int().min(10).max(86_400).optional().meta({ description: 'wait after a failed registration, 403 and other refusals included (default 60)' }),
  })
  .strict();

const carrierFields = {
  host: z.string().min(1).max(255).meta({ description: 'IP address or host name of the carrier\'s SIP server', example: '203.0.113.7' }),
  port: z.number().int().min(1).max(65535).optional(),
  transport: z.enum(['udp', 'tcp']).optional(),
  authUsername: z.string().min(1).max(64).optional().meta({ description: 'digest user the carrier asks of us (with authPassword); characters allowed in a SIP user part' }),
  authPassword: z.string().min(1).max(128).optional().meta({ description: 'printable ASCII; write-only (kept while the carrier is disabled)' }),
  numberFormat: z.enum(['plus', 'digits']).optional().meta({ description: 'called number with its + (plus) or digits only' }),
  techPrefix: z.string().regex(/^[0-9*#]{0,16}$/).optional(),
  maxConcurrentCalls: z.number().int().min(1).max(100_000).optional(),
  enabled: z.boolean().optional(),
  inboundMatch: z.string().min(1).max(255).optional().meta({ description: "source addresses of the carrier's inbound calls: IP, IP:port or IP/prefix, comma separated (default: host)" }),
  allowAboveRetail: z.boolean().optional().meta({ description: 'may be chosen even when it costs more than the retail price of the call' }),
  emergency: z.boolean().optional().meta({ description: 'takes emergency calls (112, 911, ...) of callers from emergencyCountries; tried in name order, before nothing else' }),
  emergencyCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).max(300).optional().meta({ description: 'ISO 3166 alpha-2 countries whose callers\' emergency calls it takes', example: ['US', 'CA'] }),
  registration: RegistrationRequest.nullable()
    .optional()
    .meta({ description: 'register with the carrier (digest auth with authUsername/authPassword when challenged); {} takes the defaults; null: no registration. Replaces the previous settings whole.' }),
};

export const CreateCarrierRequest = z.object({ name: z.string().min(2).max(64), ...carrierFields }).strict();
export const UpdateCarrierRequest = z.object({ name: z.string().min(2).max(64).optional(), ...carrierFields, host: carrierFields.host.optional() }).strict();

export const CarrierResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  endpointId: z.string(),
  host: z.string(),
  port: z.number().int(),
  transport: z.enum(['udp', 'tcp']),
  authUsername: z.string().optional(),
  numberFormat: z.enum(['plus', 'digits']),
  techPrefix: z.string(),
  maxConcurrentCalls: z.number().int(),
  enabled: z.boolean(),
  inboundMatch: z.string(),
  allowAboveRetail: z.boolean(),
  registration: z
    .object({ serverUri: z.string(), clientUri: z.string(), contactUser: z.string().optional(), expirationSeconds: z.number().int(), retryIntervalSeconds: z.number().int() })
    .optional()
    .meta({ description: 'the registration Asterisk makes while the carrier is enabled (defaults filled in); absent when the carrier needs none' }),
  emergency: z.boolean(),
  emergencyCountries: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const CarrierListResponse = z.object({ carriers: z.array(CarrierResponse) });
