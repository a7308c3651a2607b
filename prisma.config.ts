// Prisma CLI configuration: the JS (WASM) schema engine through a pg driver adapter, so that
// `prisma migrate deploy` needs no downloaded engine binary (see prisma/cli-adapter.ts).
import { defineConfig } from 'prisma/config';
import { createCliAdapter } from './prisma/cli-adapter';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: () => Promise.resolve(createCliAdapter(process.env.DATABASE_URL)),
});
