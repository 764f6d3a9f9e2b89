/**
 * The page a post-processing screen loads: outstanding objects with their table, target system
 * type, log information, constraints and membership sides, and optionally the total count. The
 * benchmark measures it, and a test checks that it costs the same number of SQL queries for 10
 * objects as for 100.
 */
export const OUTSTANDING_PAGE_QUERY = `query OutstandingPage($first: Int!, $after: String, $filter: OutstandingObjectFilter, $withCount: Boolean!) {
  outstandingObjects(first: $first, after: $after, filter: $filter) {
    totalCount @include(if: $withCount)
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        __typename id displayName
        table { id name displayName }
        targetSystemType { id name }
        outstanding {
          markedAt lastLogEntry lastMethodRun noLogReason
          constraints { method allowed reasons { code message } }
        }
        ... on Membership {
          container { id displayName outstanding { markedAt } }
          member { id displayName outstanding { markedAt } }
        }
      }
    }
  }
}`;
