import { describe, expect, it } from 'vitest';
import { isTransientStatus, parseRetryAfter, readServiceErrorMessage } from '../../src/connectors/exchange-online/http-errors.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:45 GMT', now)).toBe(45_000);
  });

  it('clamps a past date to zero', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent and invalid values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('isTransientStatus', () => {
  it('classifies status codes', () => {
    const transient = [408, 429, 500, 502, 503, 504];
    const permanent = [400, 401, 403, 404, 409, 422];
    for (const status of transient) expect(isTransientStatus(status), String(status)).toBe(true);
    for (const status of permanent) expect(isTransientStatus(status), String(status)).toBe(false);
  });
});

describe('readServiceErrorMessage', () => {
  it('reads an OData error', async () => {
    const response = new Response(JSON.stringify({ error: { code: 'BadRequest', message: 'Bad alias.' } }), { status: 400 });
    expect(await readServiceErrorMessage(response)).toBe('BadRequest: Bad alias.');
  });

  it('reads an OAuth error', async () => {
    const response = new Response(JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret.' }), {
      status: 401,
    });
    expect(await readServiceErrorMessage(response)).toBe('invalid_client: AADSTS7000215: Invalid client secret.');
  });

  it('falls back to the raw body', async () => {
    expect(await readServiceErrorMessage(new Response('upstream reset', { status: 502 }))).toBe('upstream reset');
    expect(await readServiceErrorMessage(new Response('{"unexpected":true}', { status: 500 }))).toBe('{"unexpected":true}');
  });

  it('falls back to the status text', async () => {
    expect(await readServiceErrorMessage(new Response('', { status: 503, statusText: 'Service Unavailable' }))).toBe('Service Unavailable');
  });

  it('truncates a long body', async () => {
    const message = await readServiceErrorMessage(new Response('x'.repeat(5_000), { status: 500 }));
    expect(message).toHaveLength(1001);
    expect(message.endsWith('…')).toBe(true);
  });
});
