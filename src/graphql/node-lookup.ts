/**
 * `node` and `nodes` with clear errors. The relay plugin alone reports a malformed ID, an unknown
 * type name and a missing object as plain errors, which the server masks as unexpected. Here each
 * becomes a GraphQL error that names the ID: BAD_USER_INPUT for an ID this API cannot have issued,
 * NOT_FOUND for an object that does not exist (or is hidden from the caller).
 */
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError, isObjectType, type GraphQLResolveInfo } from 'graphql';

type ParsedId = { typename: string; id: string };

/** Decodes a global ID; a value that is not one is a client error, not a crash. */
export function decodeGlobalIdForClient(globalID: string): ParsedId {
  try {
    return decodeGlobalID(globalID);
  } catch {
    throw new GraphQLError(`Invalid ID ${JSON.stringify(globalID)}: it is not an ID from this API. Pass the \`id\` of an object you read.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
}

function unknownType(id: ParsedId): GraphQLError {
  return new GraphQLError(
    `Invalid ID ${JSON.stringify(encodeGlobalID(id.typename, id.id))}: no type named ${JSON.stringify(id.typename)} can be fetched by ID.`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

function notFound(id: ParsedId): GraphQLError {
  return new GraphQLError(`No ${id.typename} with ID ${encodeGlobalID(id.typename, id.id)} exists; it may have been deleted.`, {
    extensions: { code: 'NOT_FOUND', typename: id.typename },
  });
}

function isNodeType(info: GraphQLResolveInfo, typename: string): boolean {
  const type = info.schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((implemented) => implemented.name === 'Node');
}

/** Turns a loader's plain Error value (its "not found") into NOT_FOUND; a GraphQLError passes unchanged. */
function describe(value: unknown, id: ParsedId): unknown {
  if (value instanceof Error && !(value instanceof GraphQLError)) return notFound(id);
  return value;
}

export async function resolveNodeForClient(
  id: ParsedId,
  info: GraphQLResolveInfo,
  resolveNode: (id: ParsedId) => unknown,
): Promise<unknown> {
  if (!isNodeType(info, id.typename)) throw unknownType(id);
  return describe(await resolveNode(id), id);
}

/** Resolves each ID on its own, so one bad ID nulls its own entry with an error and not the list. */
export async function resolveNodesForClient(
  ids: ParsedId[],
  info: GraphQLResolveInfo,
  resolveNodes: (ids: ParsedId[]) => Promise<unknown[]>,
): Promise<unknown[]> {
  const known = ids.filter((id) => isNodeType(info, id.typename));
  const values = await resolveNodes(known);
  const byId = new Map(known.map((id, index) => [id, values[index]]));
  return ids.map((id) => (byId.has(id) ? describe(byId.get(id), id) : unknownType(id)));
}
