/**
 * Parsing of global IDs passed as plain `ID` arguments, with errors that name the argument, the
 * value and the types it may have. (The relay plugin's own `globalID` arguments report a wrong
 * type as an unexpected error, which the server masks.)
 */
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { IdLabel } from '../domain/errors.ts';
import type { ObjectKind } from '../domain/object-reads.ts';
import { TYPE_NAME_BY_KIND } from './object-loaders.ts';

/** The global-ID type names of synchronized objects, one per GraphQL type. */
export const OBJECT_TYPE_NAMES = ['MailUser', 'MailContact', 'DistributionGroup', 'Membership', 'CustomObject'] as const;

function invalid(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** Decodes `value` into its type name and database id, or throws BAD_USER_INPUT naming `argument`. */
export function decodeId(value: string, argument: string): { typename: string; id: number } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(value);
  } catch {
    throw invalid(`Invalid ID ${JSON.stringify(value)} in \`${argument}\`: it is not an ID from this API. Pass the \`id\` of an object you read.`, argument);
  }
  const id = Number(decoded.id);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw invalid(`Invalid ID ${JSON.stringify(value)} in \`${argument}\`: the part after "${decoded.typename}:" must be a positive integer.`, argument);
  }
  return { typename: decoded.typename, id };
}

/** Parses one global ID that must be of one of `typenames`. */
export function parseId(value: string, typenames: readonly string[], argument: string): number {
  return decodeTypedId(value, typenames, argument).id;
}

/** Decodes one global ID that must be of one of `typenames` into its type name and database id. */
function decodeTypedId(value: string, typenames: readonly string[], argument: string): { typename: string; id: number } {
  const decoded = decodeId(value, argument);
  const { typename } = decoded;
  if (!typenames.includes(typename)) {
    throw invalid(
      `Invalid ID ${JSON.stringify(value)} in \`${argument}\`: it is the ID of a ${typename}, but the ID of a ${typenames.join(' or ')} is expected.`,
      argument,
    );
  }
  return decoded;
}

/** Database ids of synchronized objects parsed from global IDs, with the kind and text of each ID. */
export interface ParsedObjectIds {
  ids: number[];
  /** Renders an id as the client sent it, for error messages. */
  idLabel: IdLabel;
  /** The object kind each ID names; an object of another kind does not match the ID. */
  expectedKind: (id: number) => ObjectKind | undefined;
}

/** Parses IDs of synchronized objects (`input.objectIds` and the like). */
export function parseObjectIds(values: readonly unknown[], argument: string): ParsedObjectIds {
  const parsed = parseLabelledIds(values, OBJECT_TYPE_NAMES, argument);
  return { ids: parsed.ids, idLabel: parsed.idLabel, expectedKind: (id) => KIND_BY_TYPE_NAME.get(parsed.typenameOf(id) ?? '') };
}

/**
 * Parses a list of global IDs of `typenames`, keeping what the client sent for each database id:
 * `idLabel` renders it in error messages, `typenameOf` returns the type the ID named.
 */
export function parseLabelledIds(
  values: readonly unknown[],
  typenames: readonly string[],
  argument: string,
): { ids: number[]; idLabel: IdLabel; typenameOf: (id: number) => string | undefined } {
  const sent = new Map<number, { value: string; typename: string }>();
  const ids = values.map((value, index) => {
    const path = `${argument}[${index}]`;
    const { typename, id } = decodeTypedId(String(value), typenames, path);
    sent.set(id, { value: String(value), typename });
    return id;
  });
  return { ids, idLabel: (id) => sent.get(id)?.value ?? String(id), typenameOf: (id) => sent.get(id)?.typename };
}

const KIND_BY_TYPE_NAME = new Map(Object.entries(TYPE_NAME_BY_KIND).map(([kind, typename]) => [typename, kind as ObjectKind]));

/** Parses a list of global IDs; null stays null (no restriction). */
export function parseIds(values: readonly string[] | null | undefined, typenames: readonly string[], argument: string): number[] | null {
  if (values == null) return null;
  return values.map((value, index) => parseId(value, typenames, `${argument}[${index}]`));
}

/** Builds the NOT_FOUND error for a global ID whose object does not exist, is of another kind, or is hidden from the actor. */
export function notFound(typename: string, id: number | string): GraphQLError {
  return new GraphQLError(`No ${typename} with ID ${encodeGlobalID(typename, id)} exists; it may have been deleted. Reload the list it came from.`, {
    extensions: { code: 'NOT_FOUND', typename },
  });
}
