import { type Logger } from '../shared/infra/logger';
import { AppError, ValidationError } from '../shared/kernel';
import { UserNotFoundError } from '../users';
import { type Balance, balanceOf, MAX_BALANCE_MINOR } from './account';
import { BalanceLimitError, CurrencyMismatchError, ReferenceConflictError } from './errors';
import { parseAmount } from './money';
import { type OnNetRules } from './on-net-rules';
import { type BillingOptions } from './options';
import { type BillingPersistence } from './ports';
import { type PricePlans } from './price-plan-service';

export interface TopUp {
  // Major units as decimal text, e.g. "10.00".
  amount: string;
  currency: string;
  // The caller's id for this top-up: a retry with the same reference is applied once.
  reference: string;
}

const REFERENCE = /^[\x21-\x7e]{1,128}$/;

// addBalance and getBalance of the design, and which plan prices a user's calls.
export class Balances {
  constructor(
    private readonly persistence: BillingPersistence,
    private readonly plans: PricePlans,
    private readonly options: BillingOptions,
    private readonly log: Logger,
    private readonly rules: OnNetRules,
  ) {}

  async addBalance(userId: string, topUp: TopUp): Promise<Balance> {
    const amountMinor = parseAmount(topUp.amount, topUp.currency, this.options.maxTopUpMajor);
    if (!REFERENCE.test(topUp.reference)) {
      throw new ValidationError('reference must be 1-128 printable characters without spaces', { field: 'reference' });
    }
    await this.requireUser(userId);
    const defaultPlan = await this.plans.defaultPlan();
    const { currency, reference } = topUp;
    const result = await this.persistence.transaction(async ({ accounts, ledger }) => {
      await accounts.createIfMissing({ userId, currency: defaultPlan.currency, planId: defaultPlan.id });
      const account = await accounts.lock(userId);
      if (!account) throw new AppError('BILLING.ACCOUNT_MISSING', 'the account vanished while it was locked', 'internal', { userId });
      if (account.currency !== currency) throw new CurrencyMismatchError({ userId, accountCurrency: account.currency, currency });
      const earlier = await ledger.findTopUp(userId, reference);
      if (earlier) {
        if (earlier.kind !== 'topup' || earlier.amountMinor !== amountMinor || earlier.currency !== currency) {
          throw new ReferenceConflictError({ userId, reference, amountMinor: earlier.amountMinor.toString(), currency: earlier.currency });
        }
        return { balance: balanceOf(account), applied: false };
      }
      if (account.balanceMinor + amountMinor > MAX_BALANCE_MINOR) {
        throw new BalanceLimitError({ userId, balanceMinor: account.balanceMinor.toString(), amountMinor: amountMinor.toString(), maxBalanceMinor: MAX_BALANCE_MINOR.toString() });
      }
      const entry = await ledger.post({ userId, kind: 'topup', amountMinor, currency, reference });
      if (!entry) throw new AppError('BILLING.LEDGER_REFUSED', 'the ledger refused a top-up', 'internal', { userId });
      return { balance: balanceOf({ ...account, balanceMinor: entry.balanceAfter, reservedMinor: entry.reservedAfter }), applied: true };
    });
    if (result.applied) this.log.info('balance topped up', { userId, amountMinor: amountMinor.toString(), currency, reference });
    else this.log.info('top-up already applied', { userId, reference });
    return result.balance;
  }

  // A user without an account yet has nothing, in the default currency.
  async getBalance(userId: string): Promise<Balance> {
    await this.requireUser(userId);
    const account = await this.persistence.stores.accounts.find(userId);
    if (account) return balanceOf(account);
    return { userId, currency: this.options.defaultCurrency, balanceMinor: 0n, reservedMinor: 0n, availableMinor: 0n };
  }

  // The plan must be in the account's currency; a user without an account gets one in the plan's.
  async assignPlan(userId: string, planId: string): Promise<Balance> {
    await this.requireUser(userId);
    const plan = await this.plans.find(planId);
    return this.persistence.transaction(async ({ accounts }) => {
      await accounts.createIfMissing({ userId, currency: plan.currency, planId: plan.id });
      const account = await accounts.lock(userId);
      if (!account) throw new AppError('BILLING.ACCOUNT_MISSING', 'the account vanished while it was locked', 'internal', { userId });
      if (account.currency !== plan.currency) throw new CurrencyMismatchError({ userId, accountCurrency: account.currency, currency: plan.currency });
      await accounts.setPlan(userId, plan.id);
      this.rules.rememberUser(userId, plan.id);
      this.log.info('price plan assigned', { userId, planId: plan.id });
      return balanceOf({ ...account, planId: plan.id });
    });
  }

  private async requireUser(userId: string): Promise<void> {
    if (!(await this.persistence.stores.users.isActive(userId))) throw new UserNotFoundError(userId);
  }
}
