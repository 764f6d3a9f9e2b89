/**
 * Connector that creates objects in Exchange Online through the admin API's InvokeCommand
 * endpoint, the REST endpoint that the ExchangeOnlineManagement PowerShell module calls itself.
 * It makes one attempt per call and leaves retries to the provisioning job.
 */
import type { ProvisioningRequest, ProvisioningResult, TargetSystemConnector } from '../types.ts';
import { ConnectorError } from '../types.ts';
import { createAccessTokenSource } from './access-token.ts';
import { toCmdletInvocation, type CmdletInvocation } from './cmdlets.ts';
import { connectorErrorFromFetchFailure, connectorErrorFromResponse } from './http-errors.ts';

/** Default maximum time in ms for one HTTP request (token or cmdlet), including reading the body. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Number of recently issued tokens that `redact` removes from error messages. */
const REDACTED_TOKEN_COUNT = 4;

/** Settings of the HTTP connector. The registry validates them before they get here. */
export interface ExchangeOnlineHttpSettings {
  /** Admin API origin, e.g. `https://outlook.office365.com`. A trailing slash is ignored. */
  baseUrl: string;
  /** The Entra ID tenant's id (a GUID) or primary domain, e.g. `contoso.onmicrosoft.com`. */
  tenantId: string;
  /** OAuth 2.0 token endpoint, e.g. `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`. */
  tokenEndpoint: string;
  /** Application (client) id of the Entra ID app registration. */
  clientId: string;
  clientSecret: string;
  /** False makes every provision call fail with a permanent ConnectorError and no request. */
  writeAccess: boolean;
  /** Replaces the global fetch, e.g. in tests. */
  fetch?: typeof fetch;
  /** Maximum time in ms for one HTTP request, {@link DEFAULT_TIMEOUT_MS} by default. */
  timeoutMs?: number;
  /** Clock in ms since the epoch for token expiry and Retry-After dates, Date.now by default. */
  now?: () => number;
  /** Generator of the password that New-MailUser requires; see cmdlets.ts. */
  generatePassword?: () => string;
}

/**
 * Creates a connector that runs the cmdlet for each request against the Exchange Online admin API.
 * After a 401 it requests a new token and sends the cmdlet once more. Every other failure becomes
 * a ConnectorError. It is transient for 408, 429, 5xx, timeouts and network errors, with
 * Retry-After as `retryAfterMs`, and permanent otherwise. Error messages never contain the client
 * secret or one of the last issued tokens.
 */
export function createExchangeOnlineHttpConnector(settings: ExchangeOnlineHttpSettings): TargetSystemConnector {
  const fetchImpl = settings.fetch ?? globalThis.fetch;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = settings.now ?? Date.now;
  const invokeUrl = `${settings.baseUrl.replace(/\/+$/, '')}/adminapi/beta/${encodeURIComponent(settings.tenantId)}/InvokeCommand`;

  const recentTokens: string[] = [];
  const redact = (text: string): string => {
    let result = text;
    for (const secret of [settings.clientSecret, ...recentTokens]) {
      // An empty string would match between every character.
      if (secret !== '') result = result.split(secret).join('[redacted]');
    }
    return result;
  };

  const tokens = createAccessTokenSource({
    tokenEndpoint: settings.tokenEndpoint,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    fetch: fetchImpl,
    timeoutMs,
    now,
    redact,
    onToken: (token) => {
      recentTokens.unshift(token);
      recentTokens.length = Math.min(recentTokens.length, REDACTED_TOKEN_COUNT);
    },
  });

  const invoke = async (invocation: CmdletInvocation, token: string): Promise<Response> => {
    try {
      return await fetchImpl(invokeUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ CmdletInput: { CmdletName: invocation.cmdletName, Parameters: invocation.parameters } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw connectorErrorFromFetchFailure(invocation.cmdletName, invokeUrl, error, timeoutMs);
    }
  };

  return {
    writeAccess: settings.writeAccess,

    async provision(request: ProvisioningRequest): Promise<ProvisioningResult> {
      if (!settings.writeAccess) {
        throw new ConnectorError(
          `Write access is off for the Exchange Online connector of tenant ${settings.tenantId}, so ` +
            `${request.tableName} ${request.objectKey} was not published. Turn on writeAccess in the connector settings to publish.`,
          false,
        );
      }
      const invocation = toCmdletInvocation(request, { generatePassword: settings.generatePassword });

      let token = await tokens.get();
      let response = await invoke(invocation, token);
      if (response.status === 401) {
        // The token expired or was revoked before the cache expected it to, so try once more
        // with a new one. Cancelling the unread body releases the connection.
        await response.body?.cancel();
        tokens.invalidate(token);
        token = await tokens.get();
        response = await invoke(invocation, token);
      }

      if (!response.ok) {
        throw await connectorErrorFromResponse(invocation.cmdletName, response, redact, now());
      }
      await response.body?.cancel();
      return { message: `${invocation.cmdletName} succeeded` };
    },
  };
}
