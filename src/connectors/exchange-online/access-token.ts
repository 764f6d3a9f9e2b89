/**
 * Bearer tokens for the Exchange Online admin API from the OAuth 2.0 client-credentials flow of
 * Microsoft Entra ID, cached until shortly before they expire.
 */
import { ConnectorError } from '../types.ts';
import { connectorErrorFromFetchFailure, connectorErrorFromResponse } from './http-errors.ts';

/** Scope that grants the application's Exchange Online permissions (Exchange.ManageAsApp). */
export const EXCHANGE_ONLINE_SCOPE = 'https://outlook.office365.com/.default';

/** Maximum time in ms before a token's expiry at which the cache stops handing it out. */
const MAX_EXPIRY_MARGIN_MS = 60_000;

/** Settings of {@link createAccessTokenSource}. */
export interface AccessTokenSourceSettings {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
  /** Removes the client secret and issued tokens from text that goes into an error message. */
  redact: (text: string) => string;
  /** Called with each new token, so the caller can redact it too. */
  onToken: (token: string) => void;
}

/** A cache of one access token. */
export interface AccessTokenSource {
  /** Returns the cached token, or requests a new one. Throws ConnectorError. */
  get(): Promise<string>;
  /** Drops `token` from the cache after the API rejected it, so the next get() requests a new one. */
  invalidate(token: string): void;
}

/** Creates an access-token cache that shares one token request among concurrent callers. */
export function createAccessTokenSource(settings: AccessTokenSourceSettings): AccessTokenSource {
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const requestToken = async (): Promise<string> => {
    const action = 'Requesting an access token from the token endpoint';
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      scope: EXCHANGE_ONLINE_SCOPE,
    });

    let response: Response;
    try {
      response = await settings.fetch(settings.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw connectorErrorFromFetchFailure(action, settings.tokenEndpoint, error, settings.timeoutMs);
    }
    if (!response.ok) {
      const error = await connectorErrorFromResponse(action, response, settings.redact, settings.now());
      if (error.transient) throw error;
      throw new ConnectorError(`${error.message} Check the tokenEndpoint, clientId and clientSecret of the connector settings.`, false);
    }

    const parsed = (await response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined;
    const token = parsed?.access_token;
    // Entra ID sends expires_in as a number; some OAuth servers send a numeric string.
    const expiresInSeconds = Number(parsed?.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) {
      throw new ConnectorError(`${action} returned no access_token or no positive expires_in.`, false);
    }

    settings.onToken(token);
    const lifetimeMs = expiresInSeconds * 1000;
    // Stop using a token shortly before it expires, so that no request arrives with a token that
    // expired on the way. A short-lived token is still used for half of its lifetime.
    const marginMs = Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 2);
    cached = { token, refreshAt: settings.now() + lifetimeMs - marginMs };
    return token;
  };

  return {
    get() {
      if (cached !== undefined && settings.now() < cached.refreshAt) return Promise.resolve(cached.token);
      pending ??= requestToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
