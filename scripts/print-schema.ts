/** Writes schema/schema.graphql from the code; a test fails while the checked-in file is stale. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/graphql/schema.ts';

mkdirSync('schema', { recursive: true });
writeFileSync('schema/schema.graphql', `${printSchema(buildSchema())}\n`);
console.log('Wrote schema/schema.graphql');
