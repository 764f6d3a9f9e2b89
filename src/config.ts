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
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(15_000),
  SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'expected 32 random bytes in base64, e.g. from `openssl rand -base64 32`')
    .optional(),
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
