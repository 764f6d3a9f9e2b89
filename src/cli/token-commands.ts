/**
 * `syncrework token create | list | revoke`: API tokens for integration clients.
 */
import { createApiToken, listApiTokens, revokeApiToken } from '../domain/api-tokens.ts';
import type { Command } from './commands.ts';

export const tokenCommands: Record<string, Command> = {
  'token-create': async ({ runtime, actor, print }, args) => {
    const expires = args.expires === undefined ? undefined : Number(args.expires);
    const { token, row } = await runtime.services.db.transaction((tx) =>
      createApiToken(tx, actor, {
        name: String(args.name ?? ''),
        role: String(args.role ?? ''),
        tenantNames: (args.tenant as string[] | undefined) ?? [],
        expiresInDays: expires,
      }),
    );
    print(`Created API token ${row.id} "${row.name}" with role ${row.role}${row.expiresAt ? `, expiring ${row.expiresAt.toISOString()}` : ''}.`);
    print('It is shown only now; store it in a secret store:');
    print(token);
    return 0;
  },

  'token-list': async ({ runtime, print }) => {
    const rows = await listApiTokens(runtime.services.db);
    if (rows.length === 0) print('No API tokens.');
    for (const row of rows) {
      const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : row.expiresAt && row.expiresAt < new Date() ? 'expired' : 'active';
      const tenants = row.tenantIds.length > 0 ? ` tenants=${row.tenantIds.join(',')}` : '';
      const lastUsed = row.lastUsedAt ? `last used ${row.lastUsedAt.toISOString()}` : 'never used';
      print(`${row.id}\t${row.name}\t${row.role}\t${state}${tenants}\tcreated ${row.createdAt.toISOString()} by ${row.createdBy}\t${lastUsed}`);
    }
    return 0;
  },

  'token-revoke': async ({ runtime, actor, print }, args) => {
    const id = Number(args.id);
    if (!Number.isSafeInteger(id) || id <= 0) {
      print(`Error: invalid token id ${JSON.stringify(args.id)}; take the id from \`syncrework token list\`.`);
      return 1;
    }
    const row = await runtime.services.db.transaction((tx) => revokeApiToken(tx, actor, id));
    print(`Revoked API token ${row.id} "${row.name}". Requests and open subscriptions with it now fail.`);
    return 0;
  },
};
