import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './prisma/generated/client';

export type Database = PrismaClient;

// Rust-free Prisma client over the pg driver: no engine binary, the same in every environment.
export function createDatabase(options: { url: string; poolSize: number }): Database {
  const adapter = new PrismaPg({ connectionString: options.url, max: options.poolSize, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}
