import { Router } from 'express';
import { formatDecimal, minorUnitDigits } from '../../rating';
import { type RouteAnswer, type RoutingService } from '../../routing';
import { type User, UserNotFoundError, type UserService } from '../../users';
import { RoutesQuery } from '../routing-schemas';
import { allow } from '../operator-auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findUser(users: UserService, from: string): Promise<User> {
  const user = UUID.test(from) ? await users.get(from) : await users.findByUsername(from);
  if (!user) throw new UserNotFoundError(from);
  return user;
}

export function toRouteAnswerResponse(answer: RouteAnswer): Record<string, unknown> {
  const digits = minorUnitDigits(answer.currency);
  const rate = (micros: bigint, d: number): string => formatDecimal(micros, 6, d);
  const retail = answer.retail;
  const retailDigits = retail ? minorUnitDigits(retail.currency) : digits;
  return {
    from: answer.sender,
    to: answer.to,
    destination: answer.destination,
    ...(answer.prefixes ? { prefixes: answer.prefixes } : {}),
    at: answer.at.toISOString(),
    strategy: answer.strategy,
    weights: answer.weights,
    currency: answer.currency,
    referenceCallSeconds: answer.referenceCallSeconds,
    ...(retail
      ? {
          retail: {
            ...(retail.planId ? { planId: retail.planId } : {}),
            ...(retail.prefix ? { prefix: retail.prefix } : {}),
            currency: retail.currency,
            ratePerMinute: rate(retail.ratePerMinuteMicros, retailDigits),
            connectFee: formatDecimal(retail.connectFeeMinor, retailDigits),
            firstIncrementSeconds: retail.firstIncrementSeconds,
            nextIncrementSeconds: retail.nextIncrementSeconds,
            referenceCallCost: rate(BigInt(retail.referenceCostMicros), retailDigits),
            comparable: retail.comparable,
          },
        }
      : {}),
    routes: answer.routes.map((route) => ({
      rank: route.rank,
      carrierId: route.carrierId,
      carrierName: route.carrierName,
      score: route.score,
      explored: route.explored,
      aboveRetail: route.aboveRetail,
      cost: {
        prefix: route.tariff.prefix,
        ratePerMinute: rate(route.tariff.ratePerMinuteMicros, digits),
        connectFee: formatDecimal(route.tariff.connectFeeMinor, digits),
        firstIncrementSeconds: route.tariff.firstIncrementSeconds,
        nextIncrementSeconds: route.tariff.nextIncrementSeconds,
        referenceCallCost: rate(BigInt(route.costMicros), digits),
        referenceCallCostMicros: route.costMicros,
        score: route.costScore,
      },
      quality: {
        prefix: route.quality.prefix,
        score: route.qualityScore,
        asr: route.quality.asr,
        acdSeconds: route.quality.acdSeconds,
        pddMs: route.quality.pddMs,
        mes: route.quality.mes,
        mesMeasured: route.quality.mesMeasured,
        jitterMs: route.quality.jitterMs,
        lossRatio: route.quality.lossRatio,
        parts: route.qualityParts,
        evidence: route.quality.evidence,
      },
      reasons: route.reasons,
    })),
    excluded: answer.excluded,
  };
}

// Mounted on /v1/routes: the recommendation service's getRoute(sender, receiver), explained.
export function routesRouter(routing: RoutingService, users: UserService): Router {
  const router = Router();

  router.get('/', allow('admin', 'support'), async (req, res) => {
    const query = RoutesQuery.parse(req.query);
    const user = await findUser(users, query.from);
    res.json(toRouteAnswerResponse(await routing.getRoute({ userId: user.id, username: user.username, phoneNumber: user.phoneNumber }, query.to)));
  });

  return router;
}
