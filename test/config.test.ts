import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  test('defaults apply when nothing is set', () => {
    const config = loadConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.PORT).toBe(4000);
    expect(config.SYNCREWORK_DATA_DIR).toBe('./data');
    expect(config.NODE_ENV).toBe('development');
    expect(config.LOG_RETENTION_DAYS).toBe(90);
  });

  test('invalid port names variable and form', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty": expected a whole number/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000"/);
  });

  test('invalid database URL hides its value', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:secret@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL=(hidden): expected a postgres:// or postgresql:// URL');
    expect(message).not.toContain('secret');
  });

  test('every problem is reported at once', () => {
    let problems: string[] = [];
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud', NODE_ENV: 'staging' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(3);
  });

  test('empty variables count as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(4000);
  });
});
