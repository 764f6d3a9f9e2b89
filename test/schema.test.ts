import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
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
