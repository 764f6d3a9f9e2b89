import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertMembership, insertObject, insertTenant, setPublishing, type ObjectRow } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PREVIEW = `query($method: ReworkMethod!, $ids: [ID!]!) {
  reworkPreview(method: $method, objectIds: $ids) {
    method allowed total
    tableCounts { table { name } selected dependencies }
    dependencies { object { id } reason requiredBy { id } }
    constraints { object { id } constraint { method allowed reasons { code } } }
    blocked { object { id } reasons { code message } }
  }
}`;

describe.each(testDatabaseKinds())('rework preview on %s', (kind) => {
  let server: TestServer;
  let group: ObjectRow;
  let user: ObjectRow;
  let contact: ObjectRow;
  let userInGroup: ObjectRow;
  let contactInGroup: ObjectRow;
  let liveMembership: ObjectRow;
  let inheritor: ObjectRow;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const db = server.server.runtime.services.db;
    const owner = await insertTenant(db);
    await setPublishing(db, 'MailUser', true);
    await setPublishing(db, 'DistributionGroup', true);
    await setPublishing(db, 'DistributionGroupMember', true);

    group = await insertObject(db, owner, { table: 'DistributionGroup', outstanding: true });
    user = await insertObject(db, owner, { table: 'MailUser', outstanding: true });
    contact = await insertObject(db, owner, { table: 'MailContact', outstanding: true });
    userInGroup = await insertMembership(db, owner, group, user, { outstanding: true, cause: 'CONTAINER_DELETED' });
    contactInGroup = await insertMembership(db, owner, group, contact, { outstanding: true, cause: 'CONTAINER_DELETED' });
    const liveUser = await insertObject(db, owner, { table: 'MailUser' });
    liveMembership = await insertMembership(db, owner, group, liveUser);

    inheritor = await insertObject(db, owner, { table: 'MailUser', outstanding: true });
    const otherGroup = await insertObject(db, owner, { table: 'DistributionGroup' });
    await insertMembership(db, owner, otherGroup, inheritor, { isIndirect: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  const id = (typename: string, row: ObjectRow) => globalId(typename, row.id);
  const preview = async (method: string, ids: string[]) => (await server.query(PREVIEW, { method, ids })).reworkPreview;

  test('publishing a membership takes its outstanding sides along', async () => {
    const result = await preview('PUBLISH', [id('Membership', userInGroup)]);
    expect(result.allowed).toBe(true);
    expect(result.total).toBe(3);
    expect(result.dependencies).toEqual([
      { object: { id: id('DistributionGroup', group) }, reason: 'CONTAINER_OF_PUBLISHED_MEMBERSHIP', requiredBy: [{ id: id('Membership', userInGroup) }] },
      { object: { id: id('MailUser', user) }, reason: 'MEMBER_OF_PUBLISHED_MEMBERSHIP', requiredBy: [{ id: id('Membership', userInGroup) }] },
    ]);
    expect(result.blocked).toEqual([]);
    // Judged together, the membership is publishable although both of its sides are outstanding.
    const own = result.constraints.find((entry: any) => entry.object.id === id('Membership', userInGroup));
    expect(own.constraint).toEqual({ method: 'PUBLISH', allowed: true, reasons: [] });
    expect(result.tableCounts).toEqual(
      expect.arrayContaining([
        { table: { name: 'DistributionGroupMember' }, selected: 1, dependencies: 0 },
        { table: { name: 'DistributionGroup' }, selected: 0, dependencies: 1 },
        { table: { name: 'MailUser' }, selected: 0, dependencies: 1 },
      ]),
    );
  });

  test('a dependency that cannot be published blocks the selection', async () => {
    const result = await preview('PUBLISH', [id('Membership', userInGroup), id('Membership', contactInGroup)]);
    expect(result.allowed).toBe(false);
    const group = result.dependencies.find((entry: any) => entry.reason === 'CONTAINER_OF_PUBLISHED_MEMBERSHIP');
    expect(group.requiredBy).toHaveLength(2);
    expect(result.blocked).toEqual([
      {
        object: { id: id('MailContact', contact) },
        reasons: [{ code: 'TABLE_NOT_PUBLISHABLE', message: expect.stringContaining('MailContact') }],
      },
    ]);
  });

  test('deleting a group takes its assignment rows along', async () => {
    const result = await preview('DELETE', [id('DistributionGroup', group)]);
    expect(result.allowed).toBe(true);
    expect(result.dependencies.map((entry: any) => entry.object.id).sort()).toEqual(
      [id('Membership', userInGroup), id('Membership', contactInGroup), id('Membership', liveMembership)].sort(),
    );
    expect(new Set(result.dependencies.map((entry: any) => entry.reason))).toEqual(new Set(['ASSIGNMENT_OF_DELETED_OBJECT']));
    expect(result.tableCounts).toEqual(
      expect.arrayContaining([
        { table: { name: 'DistributionGroup' }, selected: 1, dependencies: 0 },
        { table: { name: 'DistributionGroupMember' }, selected: 0, dependencies: 3 },
      ]),
    );
  });

  test('an indirect membership blocks deleting its member', async () => {
    const result = await preview('DELETE', [id('MailUser', inheritor), id('MailUser', user)]);
    expect(result.allowed).toBe(false);
    expect(result.blocked.map((entry: any) => [entry.object.id, entry.reasons.map((reason: any) => reason.code)])).toEqual([
      [id('MailUser', inheritor), ['HAS_INDIRECT_MEMBERSHIPS']],
    ]);
  });

  test('reset has no dependencies', async () => {
    const result = await preview('RESET', [id('DistributionGroup', group)]);
    expect(result).toMatchObject({ method: 'RESET', allowed: true, total: 1, dependencies: [], blocked: [] });
  });

  test('rejects unknown, wrong-type and malformed IDs', async () => {
    const unknown = await server.graphql(PREVIEW, { method: 'RESET', ids: [id('MailUser', user), globalId('MailUser', 987_654)] });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'objectIds[1]' });
    expect(unknown.errors?.[0]?.message).toContain('No MailUser has the ID');
    const wrongKind = await server.graphql(PREVIEW, { method: 'RESET', ids: [globalId('MailContact', user.id)] });
    expect(wrongKind.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const wrongType = await server.graphql(PREVIEW, { method: 'RESET', ids: [globalId('Tenant', 1)] });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.message).toContain('it is the ID of a Tenant');
    const malformed = await server.graphql(PREVIEW, { method: 'RESET', ids: ['???'] });
    expect(malformed.errors?.[0]?.message).toContain('Invalid ID "???" in `objectIds[0]`');
  });
});
