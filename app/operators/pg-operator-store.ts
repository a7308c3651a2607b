import { type Sql } from '../shared/infra/sql';
import { type Operator, type OperatorToken, type Role } from './operator';
import { type OperatorRow, type OperatorStore } from './ports';

interface OperatorDbRow {
  id: string;
  username: string;
  role: Role;
  password_hash: string;
  created_at: Date;
  disabled_at: Date | null;
}

interface TokenDbRow {
  id: string;
  operator_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const OPERATOR_COLUMNS = 'id, username, role, password_hash, created_at, disabled_at';
const TOKEN_COLUMNS = 'id, operator_id, name, created_at, last_used_at, revoked_at';

const toOperatorRow = (row: OperatorDbRow): OperatorRow => ({
  id: row.id,
  username: row.username,
  role: row.role,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
  ...(row.disabled_at ? { disabledAt: row.disabled_at } : {}),
});

export const publicOperator = ({ passwordHash: _hash, ...operator }: OperatorRow): Operator => operator;

const toToken = (row: TokenDbRow): OperatorToken => ({
  id: row.id,
  operatorId: row.operator_id,
  name: row.name,
  createdAt: row.created_at,
  ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
});

const UNIQUE_VIOLATION = '23505';
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === UNIQUE_VIOLATION;

export class PgOperatorStore implements OperatorStore {
  constructor(private readonly sql: Sql) {}

  async insert(operator: OperatorRow): Promise<void> {
    await this.sql.query('INSERT INTO operators (id, username, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      operator.id,
      operator.username,
      operator.role,
      operator.passwordHash,
      operator.createdAt,
    ]);
  }

  async get(id: string): Promise<OperatorRow | undefined> {
    const [row] = await this.sql.query<OperatorDbRow>(`SELECT ${OPERATOR_COLUMNS} FROM operators WHERE id = $1`, [id]);
    return row && toOperatorRow(row);
  }

  async findByUsername(username: string): Promise<OperatorRow | undefined> {
    const [row] = await this.sql.query<OperatorDbRow>(`SELECT ${OPERATOR_COLUMNS} FROM operators WHERE username = $1`, [username]);
    return row && toOperatorRow(row);
  }

  async list(): Promise<Operator[]> {
    const rows = await this.sql.query<OperatorDbRow>(`SELECT ${OPERATOR_COLUMNS} FROM operators ORDER BY username`);
    return rows.map((row) => publicOperator(toOperatorRow(row)));
  }

  async update(id: string, change: { role?: Role; passwordHash?: string; disabledAt?: Date | null }): Promise<OperatorRow | undefined> {
    const [row] = await this.sql.query<OperatorDbRow>(
      `UPDATE operators SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash),
         disabled_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE disabled_at END
       WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`,
      [id, change.role ?? null, change.passwordHash ?? null, change.disabledAt !== undefined, change.disabledAt ?? null],
    );
    return row && toOperatorRow(row);
  }

  async insertToken(token: OperatorToken, tokenHash: Buffer): Promise<void> {
    await this.sql.query('INSERT INTO operator_tokens (id, operator_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      token.id,
      token.operatorId,
      token.name,
      tokenHash,
      token.createdAt,
    ]);
  }

  async listTokens(operatorId: string): Promise<OperatorToken[]> {
    const rows = await this.sql.query<TokenDbRow>(`SELECT ${TOKEN_COLUMNS} FROM operator_tokens WHERE operator_id = $1 ORDER BY created_at`, [operatorId]);
    return rows.map(toToken);
  }

  async revokeToken(operatorId: string, tokenId: string, at: Date): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      'UPDATE operator_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $2 AND operator_id = $1 RETURNING id',
      [operatorId, tokenId, at],
    );
    return rows.length > 0;
  }

  async findByTokenHash(tokenHash: Buffer, at: Date): Promise<Operator | undefined> {
    // last_used_at is written at most once a minute per token, not on every request.
    const [row] = await this.sql.query<OperatorDbRow>(
      `WITH token AS (
         SELECT t.id, t.operator_id FROM operator_tokens t WHERE t.token_hash = $1 AND t.revoked_at IS NULL
       ), touched AS (
         UPDATE operator_tokens SET last_used_at = $2
         WHERE id = (SELECT id FROM token) AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
       )
       SELECT ${OPERATOR_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')} FROM operators o JOIN token ON token.operator_id = o.id
       WHERE o.disabled_at IS NULL`,
      [tokenHash, at],
      'operator-by-token-hash',
    );
    return row && publicOperator(toOperatorRow(row));
  }
}
