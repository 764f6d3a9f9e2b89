/**
 * A fake of the Exchange Online admin API and of the Entra ID token endpoint for tests, served
 * over HTTP on 127.0.0.1. It checks the client credentials, the bearer token, the tenant, the
 * cmdlet name and its mandatory parameters, records every request, and responds with scripted
 * failures when a test asks for them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Mandatory parameters of each cmdlet that the fake accepts. */
export const MANDATORY_PARAMETERS: Record<string, string[]> = {
  'New-MailUser': ['Name', 'ExternalEmailAddress', 'MicrosoftOnlineServicesID', 'Password'],
  'New-MailContact': ['Name', 'ExternalEmailAddress'],
  'New-DistributionGroup': ['Name'],
  'Add-DistributionGroupMember': ['Identity', 'Member'],
};

/** Options of {@link startFakeExchangeAdminApi}. Every field has a default. */
export interface FakeExchangeAdminApiOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued tokens, in seconds. */
  tokenLifetimeSeconds?: number;
}

/** A scripted failure response. */
export interface FakeFailure {
  status: number;
  /** Sent as the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  /** Sent as the Retry-After header as an HTTP date. */
  retryAfterDate?: Date;
  /** Error code and message in `{"error":{"code","message"}}`. */
  code?: string;
  message?: string;
  /** Raw body sent instead of the JSON error, e.g. an HTML page from a proxy. */
  rawBody?: string;
}

/** One request that the fake received, with the status of its response. */
export interface RecordedCall {
  endpoint: 'token' | 'invoke' | 'other';
  method: string;
  path: string;
  status: number;
  /** Token requests: the form fields. */
  form?: Record<string, string>;
  /** InvokeCommand: the bearer token sent, the cmdlet and its parameters. */
  token?: string;
  cmdletName?: string;
  parameters?: Record<string, unknown>;
}

/** A running fake. */
export interface FakeExchangeAdminApi {
  /** Origin of the admin API, for the connector's baseUrl. */
  url: string;
  tokenEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  calls: RecordedCall[];
  /** Responds with `failure` to the next `count` InvokeCommand requests that pass the token and parameter checks. */
  failNext(count: number, failure: FakeFailure): void;
  /** Responds with `failure` to the next `count` token requests. */
  failNextToken(count: number, failure: FakeFailure): void;
  /** Holds the responses to the next `count` InvokeCommand requests for `delayMs`. */
  delayNext(count: number, delayMs: number): void;
  /** Makes every token issued so far invalid, as if it had expired. */
  expireTokens(): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 on a free port. */
export async function startFakeExchangeAdminApi(options: FakeExchangeAdminApiOptions = {}): Promise<FakeExchangeAdminApi> {
  const tenantId = options.tenantId ?? 'contoso.onmicrosoft.com';
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;

  const calls: RecordedCall[] = [];
  const validTokens = new Set<string>();
  const invokeFailures: FakeFailure[] = [];
  const tokenFailures: FakeFailure[] = [];
  const delays: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const tokenPath = `/${tenantId}/oauth2/v2.0/token`;
  const invokePath = `/adminapi/beta/${tenantId}/InvokeCommand`;

  const handleToken = (body: string, call: RecordedCall, response: ServerResponse): void => {
    const form = Object.fromEntries(new URLSearchParams(body));
    call.form = form;
    const scripted = tokenFailures.shift();
    if (scripted !== undefined) return sendFailure(response, call, scripted);

    if (form.grant_type !== 'client_credentials') {
      return sendJson(response, call, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.' });
    }
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return sendJson(response, call, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    }
    if (form.scope !== 'https://outlook.office365.com/.default') {
      return sendJson(response, call, 400, { error: 'invalid_scope', error_description: `AADSTS70011: The scope '${form.scope}' is not valid.` });
    }
    const token = randomBytes(32).toString('base64url');
    validTokens.add(token);
    sendJson(response, call, 200, { token_type: 'Bearer', expires_in: tokenLifetimeSeconds, ext_expires_in: tokenLifetimeSeconds, access_token: token });
  };

  const handleInvoke = (request: IncomingMessage, body: string, call: RecordedCall, response: ServerResponse): void => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    call.token = token;
    if (token === undefined || !validTokens.has(token)) {
      response.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return sendJson(response, call, 401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is missing, invalid or expired.' } });
    }

    let input: { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return sendError(response, call, 400, 'BadRequest', 'The request body is not valid JSON.');
    }
    const cmdletName = input.CmdletInput?.CmdletName;
    const parameters = (input.CmdletInput?.Parameters ?? {}) as Record<string, unknown>;
    call.cmdletName = typeof cmdletName === 'string' ? cmdletName : undefined;
    call.parameters = parameters;

    const mandatory = typeof cmdletName === 'string' ? MANDATORY_PARAMETERS[cmdletName] : undefined;
    if (mandatory === undefined) {
      return sendError(response, call, 400, 'BadRequest', `The term '${String(cmdletName)}' is not recognized as a name of a cmdlet.`);
    }
    const missing = mandatory.filter((name) => parameters[name] === undefined || parameters[name] === '');
    if (missing.length > 0) {
      return sendError(response, call, 400, 'BadRequest', `Cannot process command because of one or more missing mandatory parameters: ${missing.join(' ')}.`);
    }

    const scripted = invokeFailures.shift();
    if (scripted !== undefined) return sendFailure(response, call, scripted);
    const { Password: _password, ...echoed } = parameters;
    sendJson(response, call, 200, { '@odata.context': `${invokePath}/$metadata#Collection(Exchange.GenericHashTable)`, value: [{ ...echoed, Guid: randomUUID() }] });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const call: RecordedCall = { endpoint: 'other', method: request.method ?? '', path, status: 0 };
      calls.push(call);

      if (request.method === 'POST' && path === tokenPath) {
        call.endpoint = 'token';
        return handleToken(body, call, response);
      }
      if (request.method === 'POST' && path.toLowerCase() === invokePath.toLowerCase()) {
        call.endpoint = 'invoke';
        const delayMs = delays.shift();
        if (delayMs === undefined) return handleInvoke(request, body, call, response);
        const timer = setTimeout(() => {
          timers.delete(timer);
          handleInvoke(request, body, call, response);
        }, delayMs);
        timers.add(timer);
        return;
      }
      sendError(response, call, 404, 'NotFound', `No endpoint at ${request.method} ${path}. The tenant in the path must be ${tenantId}.`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    tokenEndpoint: `${url}${tokenPath}`,
    tenantId,
    clientId,
    clientSecret,
    calls,
    failNext: (count, failure) => invokeFailures.push(...Array<FakeFailure>(count).fill(failure)),
    failNextToken: (count, failure) => tokenFailures.push(...Array<FakeFailure>(count).fill(failure)),
    delayNext: (count, delayMs) => delays.push(...Array<number>(count).fill(delayMs)),
    expireTokens: () => validTokens.clear(),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function sendFailure(response: ServerResponse, call: RecordedCall, failure: FakeFailure): void {
  if (failure.retryAfterSeconds !== undefined) response.setHeader('retry-after', String(failure.retryAfterSeconds));
  if (failure.retryAfterDate !== undefined) response.setHeader('retry-after', failure.retryAfterDate.toUTCString());
  if (failure.rawBody !== undefined) {
    call.status = failure.status;
    response.writeHead(failure.status, { 'content-type': 'text/html' }).end(failure.rawBody);
    return;
  }
  sendError(response, call, failure.status, failure.code ?? `Http${failure.status}`, failure.message ?? `Scripted failure with HTTP ${failure.status}.`);
}

function sendError(response: ServerResponse, call: RecordedCall, status: number, code: string, message: string): void {
  sendJson(response, call, status, { error: { code, message } });
}

function sendJson(response: ServerResponse, call: RecordedCall, status: number, body: unknown): void {
  call.status = status;
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
