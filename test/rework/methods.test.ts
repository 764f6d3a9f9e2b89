import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertMembership, insertObject, insertTenant, setPublishing, type ObjectRow, type TenantFixture } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, database, eventually, rework, submit, waitForFinal } from './helpers.ts';

const OBJECT = `query Object($id: ID!) {
  node(id: $id) {
    ... on TargetSystemObject {
      id displayName
      outstanding { markedAt }
      provisioning { status message }
      logEntries(first: 10) { edges { node { method message memberKey } } }
    }
  }
}`;

async function objectState(server: TestServer, typename: string, id: number) {
  return (await server.query(OBJECT, { id: globalId(typename, id) })).node;
}

async function auditActions(server: TestServer, typename: string, id: number): Promise<{ action: string; outcome: string }[]> {
  const data = await server.query(`query Audit($object: ID!) { auditEvents(filter: { object: $object }) { edges { node { action outcome bulkOperation { id } } } } }`, {
    object: globalId(typename, id),
  });
  return data.auditEvents.edges.map((edge: any) => ({ action: edge.node.action, outcome: edge.node.outcome }));
}

describe.each(testDatabaseKinds())('rework methods on %s', (kind) => {
  let server: TestServer;
  let owner: TenantFixture;
  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await insertTenant(database(server));
    for (const table of ['MailUser', 'MailContact', 'DistributionGroup', 'DistributionGroupMember']) await setPublishing(database(server), table, true);
  });
  afterAll(async () => {
    await server?.close();
  });

  const object = (table: string, fixture: Partial<Parameters<typeof insertObject>[2]> = {}) =>
    insertObject(database(server), owner, { table, outstanding: true, ...fixture });
  const membership = (container: ObjectRow, member: ObjectRow, outstanding = true) =>
    insertMembership(database(server), owner, container, member, { outstanding, cause: outstanding ? 'REMOVED_FROM_MEMBER_LIST' : undefined });

  test('RESET removes only the mark, logging memberships on the container', async () => {
    const contact = await object('MailContact');
    const group = await object('DistributionGroup', { outstanding: false });
    const user = await object('MailUser', { outstanding: false });
    const member = await membership(group, user);

    const operation = await submit(server, { method: 'RESET', objectIds: [globalId('MailContact', contact.id), globalId('Membership', member.id)] });
    expect(['QUEUED', 'RUNNING']).toContain(operation.status);
    expect(operation.total).toBe(2);
    const done = await waitForFinal(server, operation.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.succeeded).toBe(2);
    expect(done.rolledBack).toBe(false);

    const contactNow = await objectState(server, 'MailContact', contact.id);
    expect(contactNow.outstanding).toBeNull();
    expect(contactNow.provisioning).toBeNull();
    expect(contactNow.logEntries.edges[0].node.method).toBe('RESET');
    const groupNow = await objectState(server, 'DistributionGroup', group.id);
    expect(groupNow.logEntries.edges[0].node).toMatchObject({ method: 'RESET', memberKey: user.key });
    expect((await objectState(server, 'Membership', member.id)).outstanding).toBeNull();
    expect(await count(server, sql`select count(*) from log_entries where object_id = ${member.id}`)).toBe(0);

    expect(await auditActions(server, 'MailContact', contact.id)).toContainEqual({ action: 'rework.reset', outcome: 'SUCCEEDED' });
    expect(await auditActions(server, 'Membership', member.id)).toContainEqual({ action: 'rework.reset', outcome: 'SUCCEEDED' });
  });

  test('PUBLISH queues provisioning, container before membership', async () => {
    const group = await object('DistributionGroup', { properties: { Name: 'Sales', DisplayName: 'Sales', PrimarySmtpAddress: `sales-${Date.now()}@contoso.com` } });
    const user = await object('MailUser', { outstanding: false, properties: { Name: 'Ann', PrimarySmtpAddress: `ann-${Date.now()}@contoso.com` } });
    const member = await membership(group, user);

    const operation = await submit(server, { method: 'PUBLISH', objectIds: [globalId('Membership', member.id), globalId('DistributionGroup', group.id)] });
    expect((await waitForFinal(server, operation.id)).status).toBe('SUCCEEDED');
    expect(await count(server, sql`select count(*) from jobs where queue = 'provisioning' and (payload ->> 'bulkOperationId')::bigint = ${Number(Buffer.from(operation.id, 'base64').toString().split(':')[1])}`)).toBe(2);

    const published = await eventually(async () => {
      const [groupNow, memberNow] = [await objectState(server, 'DistributionGroup', group.id), await objectState(server, 'Membership', member.id)];
      return groupNow.provisioning?.status === 'SUCCEEDED' && memberNow.provisioning?.status === 'SUCCEEDED' ? { groupNow, memberNow } : undefined;
    }, 30_000, 'provisioning of group and membership');
    expect(published.groupNow.outstanding).toBeNull();
    expect(published.groupNow.provisioning.message).toContain('New-DistributionGroup');
    expect(published.memberNow.provisioning.message).toContain('Add-DistributionGroupMember');
    const methods = published.groupNow.logEntries.edges.map((edge: any) => edge.node.method);
    expect(methods.filter((method: string) => method === 'PUBLISH').length).toBeGreaterThanOrEqual(3);
    expect(await auditActions(server, 'DistributionGroup', group.id)).toContainEqual({ action: 'provisioning.publish', outcome: 'SUCCEEDED' });
  });

  test('DELETE removes objects with their assignment rows', async () => {
    const group = await object('DistributionGroup');
    const [first, second] = [await object('MailUser', { outstanding: false }), await object('MailUser', { outstanding: false })];
    const outstandingMember = await membership(group, first);
    const currentMember = await membership(group, second, false);
    const otherGroup = await object('DistributionGroup', { outstanding: false });
    const leaving = await object('MailContact');
    const leavingMember = await membership(otherGroup, leaving, false);

    const operation = await submit(server, {
      method: 'DELETE',
      objectIds: [globalId('DistributionGroup', group.id), globalId('Membership', outstandingMember.id), globalId('MailContact', leaving.id)],
    });
    expect((await waitForFinal(server, operation.id)).status).toBe('SUCCEEDED');

    const remaining = await count(server, sql`select count(*) from objects where id in (${group.id}, ${outstandingMember.id}, ${currentMember.id}, ${leaving.id}, ${leavingMember.id})`);
    expect(remaining).toBe(0);
    expect(await count(server, sql`select count(*) from objects where id in (${first.id}, ${second.id}, ${otherGroup.id})`)).toBe(3);
    const otherGroupNow = await objectState(server, 'DistributionGroup', otherGroup.id);
    expect(otherGroupNow.logEntries.edges[0].node).toMatchObject({ method: 'DELETE', memberKey: leaving.key });
    expect(otherGroupNow.logEntries.edges[0].node.message).toContain('together with its member');
    expect(await count(server, sql`select count(*) from audit_events where action = 'rework.delete' and subject_id = ${String(currentMember.id)} and details ->> 'deletedWith' = ${String(group.id)}`)).toBe(1);
  });

  test('DELETE of a membership logs on the container that stays', async () => {
    const group = await object('DistributionGroup', { outstanding: false });
    const user = await object('MailUser', { outstanding: false });
    const member = await membership(group, user);
    const operation = await submit(server, { method: 'DELETE', objectIds: [globalId('Membership', member.id)], processing: 'SEQUENTIAL' });
    expect((await waitForFinal(server, operation.id)).status).toBe('SUCCEEDED');
    const groupNow = await objectState(server, 'DistributionGroup', group.id);
    expect(groupNow.logEntries.edges[0].node).toMatchObject({ method: 'DELETE', memberKey: user.key });
    expect(await count(server, sql`select count(*) from objects where id = ${member.id}`)).toBe(0);
  });

  test('constraint violation names every blocked object before any change', async () => {
    await setPublishing(database(server), 'MailContact', false);
    try {
      const contacts = [await object('MailContact'), await object('MailContact'), await object('MailContact')];
      const group = await object('DistributionGroup');
      const operationsBefore = await count(server, sql`select count(*) from bulk_operations`);

      const payload = await rework(server, {
        method: 'PUBLISH',
        objectIds: [globalId('DistributionGroup', group.id), ...contacts.map((contact) => globalId('MailContact', contact.id))],
      });
      expect(payload.bulkOperation).toBeNull();
      expect(payload.errors).toHaveLength(1);
      const [error] = payload.errors;
      expect(error.__typename).toBe('ConstraintViolationError');
      expect(error.code).toBe('CONSTRAINT_VIOLATION');
      expect(error.blockedObjects.map((blocked: any) => blocked.object.id).sort()).toEqual(contacts.map((contact) => globalId('MailContact', contact.id)).sort());
      for (const blocked of error.blockedObjects) expect(blocked.reasons.map((reason: any) => reason.code)).toEqual(['TABLE_NOT_PUBLISHABLE']);

      expect(await count(server, sql`select count(*) from bulk_operations`)).toBe(operationsBefore);
      expect(await count(server, sql`select count(*) from objects where id = ${group.id} and outstanding_since is not null`)).toBe(1);
      expect(await count(server, sql`select count(*) from audit_events where action = 'rework.publish' and outcome = 'REJECTED' and details ->> 'code' = 'CONSTRAINT_VIOLATION'`)).toBeGreaterThanOrEqual(1);
    } finally {
      await setPublishing(database(server), 'MailContact', true);
    }
  });

  test('DELETE is refused for a group with an indirect membership', async () => {
    const group = await object('DistributionGroup');
    const user = await object('MailUser', { outstanding: false });
    await insertMembership(database(server), owner, group, user, { isIndirect: true });
    const payload = await rework(server, { method: 'DELETE', objectIds: [globalId('DistributionGroup', group.id)] });
    expect(payload.errors[0].blockedObjects[0].reasons.map((reason: any) => reason.code)).toEqual(['HAS_INDIRECT_MEMBERSHIPS']);
    expect(await count(server, sql`select count(*) from objects where id = ${group.id}`)).toBe(1);
  });

  test('dry run returns the preview and changes nothing', async () => {
    const group = await object('DistributionGroup');
    const user = await object('MailUser', { outstanding: false });
    const member = await membership(group, user);
    const payload = await rework(server, { method: 'PUBLISH', objectIds: [globalId('Membership', member.id)], dryRun: true });
    expect(payload.errors).toEqual([]);
    expect(payload.bulkOperation).toBeNull();
    expect(payload.preview.method).toBe('PUBLISH');
    expect(payload.preview.dependencies).toEqual([{ reason: 'CONTAINER_OF_PUBLISHED_MEMBERSHIP', object: { id: globalId('DistributionGroup', group.id), displayName: group.displayName } }]);
    expect(payload.preview.allowed).toBe(true);
    expect(await count(server, sql`select count(*) from objects where id in (${group.id}, ${member.id}) and outstanding_since is not null`)).toBe(2);
    expect(await count(server, sql`select count(*) from jobs where queue = 'provisioning' and (payload ->> 'objectId')::bigint = ${member.id}`)).toBe(0);
  });

  test('filter selects the outstanding objects it matches when accepted', async () => {
    const tenant = await insertTenant(database(server));
    const objects = [
      await insertObject(database(server), tenant, { table: 'MailContact', outstanding: true }),
      await insertObject(database(server), tenant, { table: 'MailContact', outstanding: true }),
      await insertObject(database(server), tenant, { table: 'MailContact', outstanding: false }),
    ];
    const operation = await submit(server, { method: 'RESET', filter: { tenants: [globalId('Tenant', tenant.tenant.id)] } });
    expect(operation.total).toBe(2);
    expect((await waitForFinal(server, operation.id)).succeeded).toBe(2);
    expect(await count(server, sql`select count(*) from objects where tenant_id = ${tenant.tenant.id} and outstanding_since is not null`)).toBe(0);
    expect(objects).toHaveLength(3);
  });

  test('invalid selections are rejected with a clear error', async () => {
    const contact = await object('MailContact');
    const current = await object('MailContact', { outstanding: false });

    const unknown = await rework(server, { method: 'RESET', objectIds: [globalId('MailContact', contact.id), globalId('MailContact', 987654321)] });
    expect(unknown.errors[0]).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'objectIds', '1'] });
    expect(unknown.errors[0].message).toContain(globalId('MailContact', 987654321));
    expect(unknown.errors[0].message).not.toContain(String(contact.id));

    const notOutstanding = await rework(server, { method: 'RESET', objectIds: [globalId('MailContact', current.id)] });
    expect(notOutstanding.errors[0]).toMatchObject({ code: 'NOT_OUTSTANDING', path: ['input', 'objectIds', '0'] });
    expect(notOutstanding.errors[0].message).toContain(current.displayName);
    expect(notOutstanding.errors[0].message).toContain(globalId('MailContact', current.id));

    const empty = await rework(server, { method: 'RESET', objectIds: [] });
    expect(empty.errors[0].code).toBe('EMPTY_SELECTION');

    const both = await rework(server, { method: 'RESET', objectIds: [globalId('MailContact', contact.id)], filter: {} });
    expect(both.errors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['input', 'objectIds'] });

    const user = await object('MailUser');
    const otherKind = await rework(server, { method: 'DELETE', objectIds: [globalId('MailContact', user.id)] });
    expect(otherKind.errors[0]).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'objectIds', '0'] });
    expect(otherKind.errors[0].message).toContain(globalId('MailContact', user.id));
    const otherKindPreview = await rework(server, { method: 'DELETE', objectIds: [globalId('DistributionGroup', user.id)], dryRun: true });
    expect(otherKindPreview.errors[0].code).toBe('NOT_FOUND');
    expect(await count(server, sql`select count(*) from objects where id = ${user.id}`)).toBe(1);

    const everything = await rework(server, { method: 'DELETE', filter: {} });
    expect(everything.errors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['input', 'filter'] });
    expect(everything.errors[0].message).toContain('at least one criterion');
    const everythingPreview = await rework(server, { method: 'DELETE', filter: {}, dryRun: true });
    expect(everythingPreview.errors).toEqual([]);
    expect(everythingPreview.preview).not.toBeNull();

    const nothingMatches = await rework(server, { method: 'RESET', filter: { search: 'nobody-is-called-this' } });
    expect(nothingMatches.errors[0].code).toBe('EMPTY_SELECTION');

    const wrongType = await server.graphql(`mutation($input: ReworkOutstandingObjectsInput!) { reworkOutstandingObjects(input: $input) { errors { code } } }`, {
      input: { method: 'RESET', objectIds: [globalId('Tenant', owner.tenant.id)] },
    });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.message).toContain('input.objectIds[0]');
    expect(await count(server, sql`select count(*) from objects where id = ${contact.id} and outstanding_since is not null`)).toBe(1);
  });
});

describe.each(testDatabaseKinds())('rework selection limit on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { env: { MAX_SELECTION_SIZE: '3' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('selection larger than MAX_SELECTION_SIZE is rejected', async () => {
    const owner = await insertTenant(database(server));
    const objects = [];
    for (let index = 0; index < 4; index++) objects.push(await insertObject(database(server), owner, { table: 'MailContact', outstanding: true }));
    const payload = await rework(server, { method: 'RESET', objectIds: objects.map((row) => globalId('MailContact', row.id)) });
    expect(payload.errors[0]).toMatchObject({ code: 'SELECTION_TOO_LARGE', path: ['input', 'objectIds'] });
    expect(payload.errors[0].message).toContain('MAX_SELECTION_SIZE');
    const byFilter = await rework(server, { method: 'RESET', filter: { tenants: [globalId('Tenant', owner.tenant.id)] } });
    expect(byFilter.errors[0]).toMatchObject({ code: 'SELECTION_TOO_LARGE', path: ['input', 'filter'] });
  });
});
