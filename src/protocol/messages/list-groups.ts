// ListGroups (key 16), versions 0-4 (v2 is v1 on the wire; v3 is the first flexible version; v4 adds the
// states filter and each group's state). Each broker lists only the groups it coordinates: clients ask
// every broker and concatenate.
//
//   ListGroupsRequest v0-v4:
//     StatesFilter        COMPACT_ARRAY of COMPACT_STRING {v4+}   empty = every state
//     TAGGED_FIELDS                             {v3+}
//
//   ListGroupsResponse v0-v4:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16
//     Groups              ARRAY (COMPACT {v3+})
//       GroupId           STRING (COMPACT {v3+})
//       ProtocolType      STRING (COMPACT {v3+})  "consumer", or "" for offsets-only groups
//       GroupState        COMPACT_STRING {v4+}   Empty | PreparingRebalance | CompletingRebalance | Stable | Dead
//       TAGGED_FIELDS                           {v3+}
//     TAGGED_FIELDS                             {v3+}
//
// librdkafka's ListConsumerGroups sends v4 when offered (it reports every group's state as "Unknown"
// below v4); kafkajs sends v2.
import { int16, int32, since, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const LIST_GROUPS_FLEXIBLE_FROM = 3;
const f = flexible(LIST_GROUPS_FLEXIBLE_FROM);

export const ListGroupsRequest = f.struct({
  statesFilter: since(4, f.array(f.string), []),
});
export type ListGroupsRequest = Infer<typeof ListGroupsRequest>;

export const ListGroupsResponse = f.struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
  groups: f.array(f.struct({
    groupId: f.string,
    protocolType: f.string,
    groupState: since(4, f.string, ''),
  })),
});
export type ListGroupsResponse = Infer<typeof ListGroupsResponse>;
