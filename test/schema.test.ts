import { readFileSync } from 'node:fs';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLObjectType, printSchema } from 'graphql';
import { expect, test } from 'vitest';
import { buildSchema } from '../src/graphql/schema.ts';

test('checked-in schema matches the code', () => {
  const printed = `${printSchema(buildSchema())}\n`;
  const checkedIn = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
  // On a mismatch run `npm run schema:print` and commit schema/schema.graphql.
  expect(checkedIn).toBe(printed);
});

test('every type and field has a description', () => {
  const schema = buildSchema();
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    if (!type.description) missing.push(type.name);
    if ('getFields' in type) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
  }
  expect(missing).toEqual([]);
});

test('node IDs resolve without a promise', () => {
  // An async `id` resolver makes the executor wait for every object of a page (src/graphql/node-ids.ts).
  const schema = buildSchema();
  const nodeTypes = Object.values(schema.getTypeMap()).filter((type) => type instanceof GraphQLObjectType && type.getInterfaces().some((face) => face.name === 'Node'));
  expect(nodeTypes.length).toBeGreaterThan(10);
  for (const type of nodeTypes as GraphQLObjectType[]) {
    const id = type.getFields().id!.resolve!({ id: 7 }, {}, {}, {} as never);
    expect(id, type.name).toBe(encodeGlobalID(type.name, '7'));
  }
});
