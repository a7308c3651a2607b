import { expect } from 'chai';
import { type AdminApiDeps, operatorApi } from '../../../app/admin-api';
import { ALLOWED_ROLES } from '../../../app/admin-api/operator-auth';
import { silentLogger } from '../../../app/shared/infra/logger';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle: { stack?: RouteLayer[] };
}

// Every route under /v1, found by walking the router (sub-routers included), with its first handler.
function routesOf(stack: RouteLayer[]): { route: string; guard: unknown }[] {
  return stack.flatMap((layer) => {
    if (layer.route) return [{ route: `${Object.keys(layer.route.methods).join(',').toUpperCase()} ${layer.route.path}`, guard: layer.route.stack[0]?.handle }];
    return layer.handle.stack ? routesOf(layer.handle.stack) : [];
  });
}

// The services are never called: only the routers are built.
const anything = {} as never;
const deps: AdminApiDeps = {
  token: 'unit-token-0123456789',
  operators: anything,
  users: anything,
  calls: anything,
  callRecords: anything,
  alarms: anything,
  sessions: anything,
  invoices: anything,
  billing: anything,
  carriers: anything,
  carrierQuality: anything,
  routing: anything,
  sipBans: anything,
  health: [],
  log: silentLogger,
};

describe('admin API route roles', function () {
  const routes = routesOf((operatorApi(deps) as unknown as { stack: RouteLayer[] }).stack);

  it('given the whole operator API, when its routes are walked, then there are routes of every module', function () {
    expect(routes.length).to.be.greaterThan(30);
    expect(routes.map((r) => r.route)).to.include.members(['POST /', 'GET /users/:id/balance', 'DELETE /sessions/:id', 'GET /:id/tokens', 'DELETE /:address', 'GET /:id/quality']);
  });

  it('given every route under /v1, then its first handler declares the roles it allows, and no role list is empty', function () {
    const undeclared = routes.filter((r) => !(r.guard as Record<symbol, unknown> | undefined)?.[ALLOWED_ROLES]).map((r) => r.route);
    expect(undeclared).to.deep.equal([]);
    for (const r of routes) expect((r.guard as Record<symbol, string[]>)[ALLOWED_ROLES]).to.have.length.greaterThan(0);
  });

  it('given every route under /v1, then only admin, billing and support appear as roles (no intercept role exists)', function () {
    const roles = new Set(routes.flatMap((r) => (r.guard as Record<symbol, string[]>)[ALLOWED_ROLES]));
    expect([...roles].sort()).to.deep.equal(['admin', 'billing', 'support']);
  });
});
