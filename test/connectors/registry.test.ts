import { describe, expect, it } from 'vitest';
import {
  createConnector,
  InvalidConnectorSettingsError,
  parseConnectorSettings,
  type ConnectorSettings,
} from '../../src/connectors/registry.ts';

const httpSettings = {
  mode: 'HTTP',
  writeAccess: true,
  baseUrl: 'https://outlook.office365.com',
  tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
  clientId: '00000000-0000-0000-0000-000000000001',
  clientSecret: 'secret-value-that-must-not-leak',
  tenantId: 'contoso.onmicrosoft.com',
} as const;

function invalidSettings(input: unknown): InvalidConnectorSettingsError {
  try {
    parseConnectorSettings(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConnectorSettingsError);
    return error as InvalidConnectorSettingsError;
  }
  throw new Error('expected InvalidConnectorSettingsError');
}

describe('connector settings', () => {
  it('accepts simulated settings', () => {
    expect(parseConnectorSettings({ mode: 'SIMULATED', writeAccess: false })).toEqual({ mode: 'SIMULATED', writeAccess: false });
  });

  it('accepts HTTP settings', () => {
    expect(parseConnectorSettings(httpSettings)).toEqual(httpSettings);
    expect(parseConnectorSettings({ ...httpSettings, tenantId: '72F988BF-86F1-41AF-91AB-2D7CD011DB47' }).mode).toBe('HTTP');
    expect(parseConnectorSettings({ ...httpSettings, baseUrl: 'http://127.0.0.1:8080/' }).mode).toBe('HTTP');
  });

  it('names an invalid base URL', () => {
    for (const baseUrl of ['not a url', 'ftp://outlook.office365.com', 'http://outlook.office365.com', 'https://x.test/?a=1']) {
      const error = invalidSettings({ ...httpSettings, baseUrl });
      expect(error.issues.map((issue) => issue.path)).toEqual(['baseUrl']);
      expect(error.message).toContain('baseUrl: must be an absolute https URL');
    }
  });

  it('names an invalid tenant id', () => {
    const error = invalidSettings({ ...httpSettings, tenantId: 'not a tenant' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['tenantId']);
    expect(error.message).toContain('tenantId: must be the Entra ID tenant id (a GUID) or its primary domain');
  });

  it('names every missing field', () => {
    const error = invalidSettings({ mode: 'HTTP', writeAccess: true });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['baseUrl', 'clientId', 'clientSecret', 'tenantId', 'tokenEndpoint']);
  });

  it('rejects an unknown mode', () => {
    const error = invalidSettings({ mode: 'LDAP', writeAccess: true });
    expect(error.issues.map((issue) => issue.path)).toEqual(['mode']);
  });

  it('keeps the secret out of the message', () => {
    const error = invalidSettings({ ...httpSettings, baseUrl: 'nope', clientId: '' });
    expect(error.message).not.toContain(httpSettings.clientSecret);
  });

  it('creates a connector per mode', () => {
    const simulated = createConnector({ mode: 'SIMULATED', writeAccess: false });
    expect(simulated.writeAccess).toBe(false);

    const http = createConnector(httpSettings);
    expect(http.writeAccess).toBe(true);
    expect(JSON.stringify(http)).not.toContain(httpSettings.clientSecret);
  });

  it('validates in createConnector', () => {
    const settings = { ...httpSettings, baseUrl: 'nope' } as unknown as ConnectorSettings;
    expect(() => createConnector(settings)).toThrow(InvalidConnectorSettingsError);
  });
});
