declare const unitOfWorkBrand: unique symbol;

// The transaction one piece of work runs in, as modules hand it to each other: the invoice
// consumer opens it and billing settles the call inside it, so the charge, the statement line and
// the event's processed mark commit together. Opaque on purpose: only the persistence adapter that
// opened it (app/shared/infra/unit-of-work.ts) can see what it is, so no database type crosses a
// module's public API.
export interface UnitOfWork {
  readonly [unitOfWorkBrand]: true;
}
