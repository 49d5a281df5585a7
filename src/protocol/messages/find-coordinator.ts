// FindCoordinator (key 10), versions 0-2 (v2 is v1 on the wire).
//
//   FindCoordinatorRequest v0-v2:
//     Key                 STRING                 group id (or transactional id)
//     KeyType             INT8      {v1+}        0 = GROUP, 1 = TRANSACTION
//
//   FindCoordinatorResponse v0-v2:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16
//     ErrorMessage        NULLABLE_STRING {v1+}
//     NodeId              INT32                  -1 when no coordinator is available
//     Host                STRING
//     Port                INT32
import { int16, int32, int8, nullableString, since, string, struct, type Infer } from '../codec.js';

export const FindCoordinatorRequest = struct({
  key: string,
  keyType: since(1, int8, 0),
});
export type FindCoordinatorRequest = Infer<typeof FindCoordinatorRequest>;

export const FindCoordinatorResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
  errorMessage: since(1, nullableString, null),
  nodeId: int32,
  host: string,
  port: int32,
});
export type FindCoordinatorResponse = Infer<typeof FindCoordinatorResponse>;
