/**
 * `syncrework tenant create | list`: tenants and their connector settings from the command line.
 */
import { countObjectsByTenant, loadTargetSystemsByTenant } from '../domain/tenant-reads.ts';
import { createTenant, listTenants } from '../domain/tenants.ts';
import { MAX_PAGE_SIZE } from '../graphql/pagination.ts';
import type { Command } from './commands.ts';

const optional = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

export const tenantCommands: Record<string, Command> = {
  'tenant-create': async ({ runtime, actor, print }, args) => {
    const writeAccess = optional(args.writeAccess);
    const connector = optional(args.connector)?.toUpperCase();
    if (writeAccess !== undefined && writeAccess !== 'on' && writeAccess !== 'off') {
      print(`Error: invalid --write-access ${JSON.stringify(writeAccess)}; pass on or off.`);
      return 1;
    }
    if (connector !== undefined && connector !== 'SIMULATED' && connector !== 'HTTP') {
      print(`Error: invalid --connector ${JSON.stringify(args.connector)}; pass simulated or http.`);
      return 1;
    }

    const { tenant, targetSystem } = await createTenant(
      runtime.services.db,
      {
        name: String(args.name ?? ''),
        primaryDomain: String(args.domain ?? ''),
        connector: {
          mode: connector as 'SIMULATED' | 'HTTP' | undefined,
          writeAccess: writeAccess === undefined ? undefined : writeAccess === 'on',
          baseUrl: optional(args.baseUrl),
          tokenEndpoint: optional(args.tokenEndpoint),
          clientId: optional(args.clientId),
          clientSecret: optional(args.clientSecret),
        },
      },
      { actor, logger: runtime.services.logger.child({ module: 'tenants' }), secretKey: runtime.services.config.SECRET_KEY },
    );
    const secret = targetSystem.encryptedSecret ? ', client secret stored encrypted' : '';
    print(`Registered tenant ${tenant.name} (${tenant.primaryDomain}) with the ${targetSystem.connectorMode} connector, write access ${targetSystem.writeAccess ? 'on' : 'off'}${secret}.`);
    return 0;
  },

  'tenant-list': async ({ runtime, print }) => {
    const { db } = runtime.services;
    let cursor: (string | number)[] | null = null;
    let printed = 0;
    for (;;) {
      const rows = await listTenants(db, { direction: 'forward', limit: MAX_PAGE_SIZE, cursor });
      const page = rows.slice(0, MAX_PAGE_SIZE);
      if (page.length === 0) break;
      const systems = await loadTargetSystemsByTenant(db, page.map((row) => row.id));
      const counts = await countObjectsByTenant(db, page.map((row) => row.id));
      for (const tenant of page) {
        const system = systems.find((row) => row.tenantId === tenant.id);
        const count = counts.get(tenant.id) ?? { objectCount: 0, outstandingCount: 0 };
        const connector = system ? `${system.connectorMode}\twrite access ${system.writeAccess ? 'on' : 'off'}` : 'no target system';
        print(`${tenant.name}\t${tenant.primaryDomain}\t${connector}\t${count.objectCount} objects\t${count.outstandingCount} outstanding`);
        printed += 1;
      }
      if (rows.length <= MAX_PAGE_SIZE) break;
      cursor = [page.at(-1)!.name, page.at(-1)!.id];
    }
    if (printed === 0) print('No tenants. Register one with `syncrework tenant create --name <name> --domain <domain>`.');
    return 0;
  },
};
