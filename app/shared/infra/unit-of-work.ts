import { type UnitOfWork } from '../kernel';
import { type Prisma } from './prisma/generated/client';

// A UnitOfWork is a Prisma transaction client under another name: both conversions are type-level
// only, so passing work between modules costs nothing at run time.
export const unitOfWorkOf = (tx: Prisma.TransactionClient): UnitOfWork => tx as unknown as UnitOfWork;

export const prismaTransactionOf = (work: UnitOfWork): Prisma.TransactionClient => work as unknown as Prisma.TransactionClient;
