import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { InvalidWarrantError, WarrantDeactivatedError, WarrantNotFoundError } from './errors';
import { type Interceptor } from './interceptor';
import { type InterceptRepository, type WarrantChanges } from './model';
import { type WarrantTarget } from './ports';
import { intercepts, matchesIdentity, type Warrant } from './warrant';

export interface NewWarrant {
  agencyId: string;
  targets: WarrantTarget[];
  content: boolean;
  validFrom: Date;
  validUntil: Date;
}

const describe = (w: Warrant): Record<string, unknown> => ({
  agencyId: w.agencyId,
  targets: w.targets,
  content: w.content,
  validFrom: w.validFrom.toISOString(),
  validUntil: w.validUntil.toISOString(),
  status: w.status,
});

// Warrant lifecycle (admin only): activate, modify, deactivate. Each change is a record in the
// warrant's own hash chain, and takes effect on calls already up.
export class WarrantService {
  constructor(
    private readonly deps: { repo: InterceptRepository; interceptor: Interceptor; clock: Clock; log: Logger },
  ) {}

  async activate(input: NewWarrant): Promise<Warrant> {
    validateWindow(input.validFrom, input.validUntil);
    if (input.targets.length === 0) throw new InvalidWarrantError('a warrant names at least one target');
    const warrant = await this.deps.repo.createWarrant(input);
    await this.record(warrant, 'warrant.activated', describe(warrant));
    this.deps.log.info('warrant activated', { warrantId: warrant.id, agencyId: warrant.agencyId, content: warrant.content });
    await this.reconcile(warrant);
    return warrant;
  }

  async modify(id: string, changes: WarrantChanges): Promise<Warrant> {
    const current = await this.get(id);
    if (current.status === 'deactivated') throw new WarrantDeactivatedError(id);
    validateWindow(changes.validFrom ?? current.validFrom, changes.validUntil ?? current.validUntil);
    if (changes.targets && changes.targets.length === 0) throw new InvalidWarrantError('a warrant names at least one target');
    const warrant = await this.deps.repo.updateWarrant(id, changes);
    await this.record(warrant, 'warrant.modified', { changed: Object.keys(changes), ...describe(warrant) });
    this.deps.log.info('warrant modified', { warrantId: id, changed: Object.keys(changes) });
    await this.reconcile(warrant);
    return warrant;
  }

  async deactivate(id: string): Promise<Warrant> {
    const current = await this.get(id);
    if (current.status === 'deactivated') return current;
    const warrant = await this.deps.repo.updateWarrant(id, { status: 'deactivated', deactivatedAt: this.deps.clock.now() });
    await this.record(warrant, 'warrant.deactivated', describe(warrant));
    this.deps.log.info('warrant deactivated', { warrantId: id });
    await this.reconcile(warrant, 'warrant_deactivated');
    return warrant;
  }

  async get(id: string): Promise<Warrant> {
    const warrant = await this.deps.repo.getWarrant(id);
    if (!warrant) throw new WarrantNotFoundError(id);
    return warrant;
  }

  list(agencyId?: string): Promise<Warrant[]> {
    return this.deps.repo.listWarrants(agencyId);
  }

  // Brings the calls up now in line with the warrant: intercepts where it applies, stops where it
  // no longer does (deactivated, outside its window, target removed, content switched off).
  async reconcile(warrant: Warrant, reason = 'warrant_changed'): Promise<void> {
    const { repo, interceptor } = this.deps;
    const applies = intercepts(warrant, this.deps.clock.now());
    for (const intercept of await repo.openInterceptsOfWarrant(warrant.id)) {
      if (!applies) {
        await interceptor.detach(intercept, warrant.status === 'deactivated' ? 'warrant_deactivated' : 'outside_validity');
      } else if (!(await this.stillTargeted(warrant, intercept.callId, intercept.targetRole))) {
        await interceptor.detach(intercept, 'target_removed');
      } else if (!warrant.content && intercept.contentState !== 'none') {
        await interceptor.stopContent(intercept, 'content_removed');
      }
    }
    if (applies) {
      const attached = await interceptor.attachLive(warrant);
      if (attached > 0) this.deps.log.info('warrant applied to live calls', { warrantId: warrant.id, calls: attached, reason });
    }
  }

  private async stillTargeted(warrant: Warrant, callId: string, role: 'caller' | 'callee'): Promise<boolean> {
    const calls = await this.deps.interceptor.liveCall(callId);
    if (!calls) return true; // the call's own end event closes it
    return matchesIdentity(warrant.targets, role === 'caller' ? calls.caller : calls.callee);
  }

  private async record(warrant: Warrant, kind: string, payload: Record<string, unknown>): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.repo.appendEvent(warrant.id, { dedupeKey: `${kind}:${warrant.updatedAt.getTime()}:${at.getTime()}`, kind, occurredAt: at, payload });
  }
}

function validateWindow(from: Date, until: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) throw new InvalidWarrantError('validFrom and validUntil must be dates');
  if (until.getTime() <= from.getTime()) throw new InvalidWarrantError('validUntil must be after validFrom', { validFrom: from.toISOString(), validUntil: until.toISOString() });
}
