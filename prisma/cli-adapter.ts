// Driver adapter for the Prisma CLI only (migrate deploy/diff/status), so migrations run with
// Prisma's JS (WASM) schema engine and no downloaded binary. It works around four defects of the
// stock @prisma/adapter-pg when the schema engine drives it (see ../shared/prisma-offline.md).
// The application itself uses the stock PrismaPg adapter.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const PG_CHAR_OID = 18;
const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;

type QueryCallback = (err: Error | null, res: pg.QueryResult) => void;

function reportCatalogColumnsAsText(result: pg.QueryResult | undefined): void {
  for (const field of result?.fields ?? []) {
    if (field.dataTypeID === PG_CHAR_OID || field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
  }
}

// Defect 1: the schema engine reads pg_catalog columns of types "char" and name, which the adapter
// cannot deserialize (prisma/prisma#27403). Their text form is what the engine wants.
class CatalogTextClient extends pg.Client {
  // pg's query() has many overloads (callback, promise, submittable); this passes every form through.
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment */
  override query(config: any, values?: any, callback?: any): any {
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (typeof callback === 'function') {
      const done = callback as QueryCallback;
      return super.query(config, values, (err: Error | null, res: pg.QueryResult) => {
        reportCatalogColumnsAsText(res);
        done(err, res);
      });
    }
    const pending: unknown = super.query(config, values);
    if (pending instanceof Promise) {
      return pending.then((res: pg.QueryResult) => {
        reportCatalogColumnsAsText(res);
        return res;
      });
    }
    return pending;
  }
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment */
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

function withAtomicScripts(adapter: Adapter, pool: pg.Pool): Adapter {
  // Defect 2: the stock executeScript splits on every ';' (breaking $$ bodies) and runs the pieces
  // one by one, leaving a failed migration half-applied. One simple-protocol query is atomic.
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

class CliPrismaPg extends PrismaPg {
  constructor(private readonly connectionString: string) {
    super({ connectionString, Client: CatalogTextClient });
  }

  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    return withAtomicScripts(adapter, adapter.underlyingDriver());
  }

  // Defects 3 and 4: the stock shadow database ends up on the main database when given a connection
  // string, and is dropped while still connected. Create it here, connect to it, drop it afterwards.
  override async connectToShadowDb(): Promise<Adapter> {
    const name = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: this.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(this.connectionString);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), Client: CatalogTextClient });
    const shadow = await new PrismaPg(pool).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async (): Promise<void> => {
      await dispose();
      await pool.end();
      const dropper = new pg.Client({ connectionString: this.connectionString });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await dropper.end();
      }
    };
    return withAtomicScripts(shadow, pool);
  }
}

export function createCliAdapter(connectionString: string | undefined): PrismaPg {
  if (!connectionString) throw new Error('DATABASE_URL must be set for the Prisma CLI');
  return new CliPrismaPg(connectionString);
}
