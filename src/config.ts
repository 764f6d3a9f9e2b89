/**
 * Configuration from environment variables, validated once at start-up. A wrong value stops the
 * process with a message that names the variable and the expected form.
 */
import { z } from 'zod';

const boolean = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: integer(2, 200).default(10),
  SYNCREWORK_DATA_DIR: z.string().min(1).default('./data'),
  SKIP_MIGRATIONS: boolean.default(false),
  SEED_DEMO: boolean.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json', 'auto']).default('auto'),
  LOG_RETENTION_DAYS: integer(1, 36500).default(90),
  MAX_REQUEST_BYTES: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  MAX_SNAPSHOT_BYTES: integer(1024, 1024 * 1024 * 1024 * 64).default(2 * 1024 * 1024 * 1024),
  MAX_SELECTION_SIZE: integer(1, 10_000_000).default(200_000),
  /** Above this many accounts, assigning an account definition runs as a bulk operation with progress. */
  LINK_BULK_THRESHOLD: integer(1, 10_000_000).default(500),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(15_000),
  SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'expected 32 random bytes in base64, e.g. from `openssl rand -base64 32`')
    .optional(),
  OIDC_ISSUER: z.string().url('expected the issuer URL, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0').optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.string().url('expected the JWKS URL, e.g. https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys').optional(),
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  OIDC_ROLE_MAP: z
    .string()
    .regex(/^\s*[^=,]+=(viewer|operator|admin)\s*(,\s*[^=,]+=(viewer|operator|admin)\s*)*$/, 'expected Claim=role pairs separated by commas, e.g. Syncrework.Admin=admin')
    .default('Syncrework.Viewer=viewer,Syncrework.Operator=operator,Syncrework.Admin=admin'),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
  MAX_QUERY_DEPTH: integer(2, 100).default(12),
  MAX_QUERY_COMPLEXITY: integer(10, 10_000_000).default(50_000),
  MAX_ALIASES: integer(1, 1000).default(30),
  MAX_QUERY_TOKENS: integer(100, 1_000_000).default(5000),
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
});

export type Config = z.infer<typeof environmentSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; empty variables count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = environmentSchema.safeParse(present);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const value = present[variable];
    const shown = variable === 'DATABASE_URL' || variable === 'SECRET_KEY' ? '(hidden)' : JSON.stringify(value);
    return `${variable}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}
