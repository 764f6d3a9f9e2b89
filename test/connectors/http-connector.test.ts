import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createExchangeOnlineHttpConnector,
  type ExchangeOnlineHttpSettings,
} from '../../src/connectors/exchange-online/http-connector.ts';
import { ConnectorError, type ProvisioningRequest } from '../../src/connectors/types.ts';
import { startFakeExchangeAdminApi, type FakeExchangeAdminApi } from '../support/fake-exchange-admin-api.ts';

const contact: ProvisioningRequest = {
  tableName: 'MailContact',
  objectKey: '5b1f0c2e-8a4d-4c1b-9f1e-0d6a2b3c4d5e',
  properties: { Name: 'Grace Hopper', DisplayName: 'Grace Hopper', Alias: 'grace', ExternalEmailAddress: 'grace@example.org' },
};

let fake: FakeExchangeAdminApi;

beforeEach(async () => {
  fake = await startFakeExchangeAdminApi();
});

afterEach(async () => {
  await fake.close();
});

function connector(overrides: Partial<ExchangeOnlineHttpSettings> = {}) {
  return createExchangeOnlineHttpConnector({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    tokenEndpoint: fake.tokenEndpoint,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    writeAccess: true,
    timeoutMs: 5_000,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const tokenCalls = () => fake.calls.filter((call) => call.endpoint === 'token');
const invokeCalls = () => fake.calls.filter((call) => call.endpoint === 'invoke');

describe('Exchange Online HTTP connector', () => {
  it('sends the cmdlet with a token', async () => {
    const result = await connector().provision(contact);

    expect(result.message).toBe('New-MailContact succeeded');
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      scope: 'https://outlook.office365.com/.default',
    });
    expect(invokeCalls()).toHaveLength(1);
    expect(invokeCalls()[0]).toMatchObject({
      status: 200,
      path: `/adminapi/beta/${fake.tenantId}/InvokeCommand`,
      cmdletName: 'New-MailContact',
      parameters: { Name: 'Grace Hopper', DisplayName: 'Grace Hopper', Alias: 'grace', ExternalEmailAddress: 'grace@example.org' },
    });
  });

  it('reuses the token across calls', async () => {
    const target = connector();
    await target.provision(contact);
    await target.provision({ ...contact, properties: { Name: 'Ada', ExternalEmailAddress: 'ada@example.org' } });
    await Promise.all([target.provision(contact), target.provision(contact)]);

    expect(tokenCalls()).toHaveLength(1);
    expect(invokeCalls()).toHaveLength(4);
    expect(new Set(invokeCalls().map((call) => call.token)).size).toBe(1);
  });

  it('shares one token request among concurrent calls', async () => {
    const target = connector();
    await Promise.all([target.provision(contact), target.provision(contact), target.provision(contact)]);
    expect(tokenCalls()).toHaveLength(1);
  });

  it('refreshes the token after 401', async () => {
    const target = connector();
    await target.provision(contact);
    fake.expireTokens();
    const result = await target.provision(contact);

    expect(result.message).toBe('New-MailContact succeeded');
    expect(tokenCalls()).toHaveLength(2);
    expect(invokeCalls().map((call) => call.status)).toEqual([200, 401, 200]);
    expect(invokeCalls()[2]?.token).not.toBe(invokeCalls()[0]?.token);
  });

  it('refreshes the token at most once', async () => {
    fake.failNext(2, { status: 401, code: 'InvalidAuthenticationToken', message: 'Token rejected.' });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(false);
    expect(error.message).toContain('HTTP 401');
    expect(tokenCalls()).toHaveLength(2);
    expect(invokeCalls()).toHaveLength(2);
  });

  it('refreshes the token before it expires', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const target = connector({ now: () => now });
    await target.provision(contact);

    now += 3599_000 - 61_000;
    await target.provision(contact);
    expect(tokenCalls()).toHaveLength(1);

    now += 2_000;
    await target.provision(contact);
    expect(tokenCalls()).toHaveLength(2);
    expect(invokeCalls().map((call) => call.status)).toEqual([200, 200, 200]);
  });

  it('reports 429 as transient with Retry-After', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 7, code: 'TooManyRequests', message: 'Rate limit exceeded.' });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.message).toBe('New-MailContact failed with HTTP 429: TooManyRequests: Rate limit exceeded.');
    expect(invokeCalls()).toHaveLength(1);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    fake.failNext(1, { status: 429, retryAfterDate: new Date(now + 30_000) });
    const error = await rejection(connector({ now: () => now }).provision(contact));

    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('reports 503 as transient', async () => {
    fake.failNext(1, { status: 503, message: 'Service unavailable.' });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('HTTP 503');
  });

  it('reports a non-JSON 502 as transient', async () => {
    fake.failNext(1, { status: 502, rawBody: '<html><body>Bad gateway</body></html>' });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(true);
    expect(error.message).toBe('New-MailContact failed with HTTP 502: <html><body>Bad gateway</body></html>');
  });

  it('reports 400 as permanent with the message', async () => {
    const serviceMessage =
      '|Microsoft.Exchange.Management.Tasks.RecipientTaskException|The proxy address "SMTP:grace@example.org" is already being used.';
    fake.failNext(1, { status: 400, code: 'BadRequest', message: serviceMessage });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(false);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toBe(`New-MailContact failed with HTTP 400: BadRequest: ${serviceMessage}`);
  });

  it('passes the mandatory parameter checks', async () => {
    const target = connector();
    const requests: ProvisioningRequest[] = [
      { tableName: 'MailUser', objectKey: 'user-guid', properties: { Name: 'Ada', ExternalEmailAddress: 'ada@example.org', PrimarySmtpAddress: 'ada@contoso.com' } },
      { tableName: 'DistributionGroup', objectKey: 'group-guid', properties: { Name: 'Sales', RecipientTypeDetails: 'MailUniversalSecurityGroup' } },
      {
        tableName: 'DistributionGroupMember',
        objectKey: 'membership-guid',
        properties: {},
        membership: { container: { key: 'group-guid', properties: {} }, member: { key: 'user-guid', properties: {} } },
      },
    ];
    for (const request of requests) await target.provision(request);

    expect(invokeCalls().map((call) => [call.cmdletName, call.status])).toEqual([
      ['New-MailUser', 200],
      ['New-DistributionGroup', 200],
      ['Add-DistributionGroupMember', 200],
    ]);
    expect(invokeCalls()[1]?.parameters?.Type).toBe('Security');
    expect(invokeCalls()[2]?.parameters).toEqual({ Identity: 'group-guid', Member: 'user-guid', BypassSecurityGroupManagerCheck: true });
  });

  it('rejects a wrong client secret', async () => {
    const wrongSecret = 'wrong-secret-value-123';
    const error = await rejection(connector({ clientSecret: wrongSecret }).provision(contact));

    expect(error.transient).toBe(false);
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).toContain('clientSecret');
    expect(error.message).not.toContain(wrongSecret);
    expect(error.message).not.toContain(fake.clientSecret);
    expect(invokeCalls()).toHaveLength(0);
  });

  it('reports a throttled token endpoint as transient', async () => {
    fake.failNextToken(1, { status: 429, retryAfterSeconds: 2 });
    const error = await rejection(connector().provision(contact));

    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBe(2_000);
  });

  it('redacts the secret and token from service messages', async () => {
    const target = connector();
    await target.provision(contact);
    const token = invokeCalls()[0]?.token ?? '';
    fake.failNext(1, { status: 400, message: `Rejected ${fake.clientSecret} and ${token}.` });
    const error = await rejection(target.provision(contact));

    expect(token).not.toBe('');
    expect(error.message).toContain('Rejected [redacted] and [redacted].');
    expect(error.message).not.toContain(fake.clientSecret);
    expect(error.message).not.toContain(token);
  });

  it('reports a timeout as transient', async () => {
    fake.delayNext(1, 2_000);
    const error = await rejection(connector({ timeoutMs: 200 }).provision(contact));

    expect(error.transient).toBe(true);
    expect(error.message).toContain('New-MailContact timed out after 200 ms');
  });

  it('reports a refused connection as transient', async () => {
    const closed = await startFakeExchangeAdminApi();
    await closed.close();
    const error = await rejection(connector({ tokenEndpoint: closed.tokenEndpoint }).provision(contact));

    expect(error.transient).toBe(true);
    expect(error.message).toContain('failed before a response arrived');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects writes with write access off', async () => {
    const target = connector({ writeAccess: false });
    const error = await rejection(target.provision(contact));

    expect(target.writeAccess).toBe(false);
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Write access is off');
    expect(fake.calls).toHaveLength(0);
  });

  it('rejects a custom table before any request', async () => {
    const error = await rejection(connector().provision({ tableName: 'ProjectRooms', objectKey: 'room-1', properties: {} }));

    expect(error.transient).toBe(false);
    expect(error.message).toContain('"ProjectRooms"');
    expect(fake.calls).toHaveLength(0);
  });
});
