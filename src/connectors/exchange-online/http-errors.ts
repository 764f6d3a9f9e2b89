/**
 * Converts HTTP failures of the Exchange Online admin API and the Entra ID token endpoint into
 * ConnectorErrors, marked transient when a retry by the provisioning job may succeed.
 */
import { ConnectorError } from '../types.ts';

/** Maximum length of the service's error text quoted in a ConnectorError message. */
const MAX_SERVICE_MESSAGE_LENGTH = 1000;

/** Returns true when a retry may succeed: after throttling, a request timeout or a server error. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Parses a Retry-After header (delay in seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when the header is absent or invalid, and 0 for a date in the past.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;

  // Every HTTP date format starts with the day name. The check keeps Date.parse from reading
  // values such as "-5" as a year.
  if (!/^[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Reads the error text of a failed response. Understands the admin API's OData error
 * `{"error":{"code","message"}}` and the OAuth 2.0 error `{"error","error_description"}`, and
 * falls back to the raw body, then to the status text.
 */
export async function readServiceErrorMessage(response: Response): Promise<string> {
  let body: string;
  try {
    body = (await response.text()).trim();
  } catch {
    body = '';
  }

  const fromJson = errorMessageFromJson(body);
  const message = fromJson ?? (body !== '' ? body : response.statusText || 'no error message');
  return message.length > MAX_SERVICE_MESSAGE_LENGTH ? `${message.slice(0, MAX_SERVICE_MESSAGE_LENGTH)}…` : message;
}

function errorMessageFromJson(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;

  const { error } = parsed as { error: unknown; error_description?: unknown };
  const description = (parsed as { error_description?: unknown }).error_description;
  if (typeof error === 'string') {
    return typeof description === 'string' ? `${error}: ${description}` : error;
  }
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : undefined;
    if (typeof code === 'string' && code !== '') return text !== undefined ? `${code}: ${text}` : code;
    return text;
  }
  return undefined;
}

/**
 * Builds the ConnectorError for a failed response: transient (with the Retry-After delay) for
 * {@link isTransientStatus}, permanent otherwise. `action` names what failed, e.g.
 * `New-MailContact`, and `redact` removes secrets from the service's text.
 */
export async function connectorErrorFromResponse(
  action: string,
  response: Response,
  redact: (text: string) => string,
  now: number,
): Promise<ConnectorError> {
  const serviceMessage = redact(await readServiceErrorMessage(response));
  const transient = isTransientStatus(response.status);
  const retryAfterMs = transient ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  return new ConnectorError(`${action} failed with HTTP ${response.status}: ${serviceMessage}`, transient, retryAfterMs);
}

/**
 * Builds the transient ConnectorError for a request that got no response: a timeout, a refused
 * connection or a DNS failure.
 */
export function connectorErrorFromFetchFailure(action: string, url: string, error: unknown, timeoutMs: number): ConnectorError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ConnectorError(`${action} timed out after ${timeoutMs} ms (${url}).`, true);
  }

  // Node's fetch throws TypeError("fetch failed") and puts the system error (ECONNREFUSED, ...) in `cause`.
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new ConnectorError(`${action} failed before a response arrived (${url}): ${detail}.`, true);
}
