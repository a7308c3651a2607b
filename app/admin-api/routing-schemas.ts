import { z } from 'zod';

// Request and response shapes of the routing routes (getRoute, carrier rate decks); they validate
// requests and build the OpenAPI document (openapi-routing.ts).

const money = (description: string, example: string) => z.string().max(40).meta({ description, example });
const ratio = (description: string) => z.number().min(0).max(1).meta({ description });

export const RoutesQuery = z
  .object({
    from: z.string().min(1).max(64).meta({ description: "the calling user's id or username", example: 'alice' }),
    to: z.string().min(1).max(32).meta({ description: "the number to call: E.164, or national in the sender's country (that of their own number)", example: '020 7183 8750' }),
  })
  .strict();

const Tariff = {
  prefix: z.string().meta({ description: "the deck's longest prefix of the destination" }),
  ratePerMinute: money('major units per minute', '0.0123'),
  connectFee: money('major units', '0.00'),
  firstIncrementSeconds: z.number().int(),
  nextIncrementSeconds: z.number().int(),
};

const RouteResponse = z.object({
  rank: z.number().int().meta({ description: '1 = tried first' }),
  carrierId: z.uuid(),
  carrierName: z.string(),
  score: z.number().meta({ description: "what the strategy ordered by, 0-1, higher is better (an explored carrier is first whatever its score)" }),
  explored: z.boolean().meta({ description: 'put first by bounded exploration: it has too few recent attempts at this prefix to be judged' }),
  aboveRetail: z.boolean().meta({ description: 'it costs more than the retail price (only chosen because the carrier allows it)' }),
  cost: z.object({
    ...Tariff,
    referenceCallCost: money('what a call of referenceCallSeconds costs through it, major units', '0.0246'),
    referenceCallCostMicros: z.number().int(),
    score: ratio("the cheapest candidate's cost over this one's"),
  }),
  quality: z.object({
    prefix: z.string().meta({ description: 'the destination prefix the figures are for (country code + 2 digits; NANP + 3)' }),
    score: ratio('ASR x (0.3 ACD + 0.3 PDD + 0.4 media), each relative to the best candidate (media: MES / 100)'),
    asr: ratio('answer-seizure ratio estimate'),
    acdSeconds: z.number().meta({ description: 'average call duration estimate' }),
    pddMs: z.number().meta({ description: 'post-dial delay estimate' }),
    mes: z.number().meta({ description: "media experience score (0-100) of the carrier leg, Asterisk's RTCP figure" }),
    mesMeasured: z.boolean(),
    jitterMs: z.number(),
    lossRatio: ratio('packets lost / packets expected, received side'),
    parts: z.object({ asr: z.number(), acd: z.number(), pdd: z.number(), media: z.number() }).meta({ description: 'each 0-1, relative to the best candidate (media: MES / 100)' }),
    evidence: z
      .object({
        areaAttempts: z.number().int(),
        countryAttempts: z.number().int(),
        recentAttempts: z.number().meta({ description: 'attempts in the sliding window, weighted by age' }),
        historyAsr: z.number().optional(),
        recentAsr: z.number().optional(),
      })
      .meta({ description: 'what the estimates rest on (batch + speed layers; the recent window)' }),
  }),
  reasons: z.array(z.string()).meta({ description: 'why it is ranked here, in words' }),
});

export const RouteAnswerResponse = z.object({
  from: z.object({ userId: z.uuid(), username: z.string(), phoneNumber: z.string(), country: z.string().optional() }),
  to: z.string(),
  destination: z.string().meta({ description: 'E.164', example: '+442071838750' }),
  prefixes: z.object({ country: z.string(), area: z.string() }).optional(),
  at: z.iso.datetime(),
  strategy: z.string().meta({ example: 'blended' }),
  weights: z.object({ cost: z.number(), quality: z.number() }),
  currency: z.string().meta({ description: "the carriers' currency", example: 'USD' }),
  referenceCallSeconds: z.number().int(),
  retail: z
    .object({
      ...Tariff,
      prefix: z.string().optional(),
      planId: z.uuid().optional(),
      currency: z.string(),
      referenceCallCost: money("what the caller pays for a call of referenceCallSeconds", '0.10'),
      comparable: z.boolean().meta({ description: "false when the plan's currency is not the carriers': no carrier counts as within it" }),
    })
    .optional()
    .meta({ description: "the sender's retail price for the destination; absent when their plan does not price it (then only carriers allowed above retail qualify)" }),
  routes: z.array(RouteResponse).meta({ description: 'carriers to try, best first' }),
  excluded: z.array(z.object({ carrierId: z.uuid(), carrierName: z.string(), reason: z.enum(['disabled', 'no_rate', 'above_retail', 'retail_unknown']) })),
});

export const CarrierRateImportResponse = z.object({
  carrierId: z.uuid(),
  imported: z.number().int().meta({ description: "rates in the carrier's deck now (the file replaced the previous deck)" }),
  version: z.number().int().meta({ description: "the deck's version; every instance routes with it within ROUTING_REFRESH_MS" }),
});
