// Metadata (key 3), versions 0-4.
//
//   MetadataRequest v0-v4:
//     Topics                  ARRAY (nullable {v1+})  v1+: null = all topics, empty = none (brokers only)
//       Name                  STRING                  v0: not nullable, empty = all topics
//     AllowAutoTopicCreation  BOOLEAN  {v4+}          v0-v3 imply true
//
//   MetadataResponse v0-v4:
//     ThrottleTimeMs          INT32    {v3+}          (first field)
//     Brokers                 ARRAY
//       NodeId                INT32
//       Host                  STRING
//       Port                  INT32
//       Rack                  NULLABLE_STRING  {v1+}
//     ClusterId               NULLABLE_STRING  {v2+}
//     ControllerId            INT32            {v1+} -1 if unknown
//     Topics                  ARRAY
//       ErrorCode             INT16
//       Name                  STRING
//       IsInternal            BOOLEAN  {v1+}
//       Partitions            ARRAY
//         ErrorCode           INT16
//         PartitionIndex      INT32
//         LeaderId            INT32            -1 = no leader
//         ReplicaNodes        ARRAY of INT32
//         IsrNodes            ARRAY of INT32
//
// The decoded request always uses the v1+ meaning: `topics: null` asks for every topic. A v0 request
// with an empty list therefore decodes to null, and a v0 request cannot ask for "no topics".
import {
  array, boolean, int16, int32, nullableArray, nullableString, since, string, struct,
  type Codec, type Infer,
} from '../codec.js';
import { MqError } from '../../util/mq-error.js';

const MetadataRequestTopic = struct({ name: string });
type MetadataRequestTopic = Infer<typeof MetadataRequestTopic>;

const nullableTopics = nullableArray(MetadataRequestTopic);
const plainTopics = array(MetadataRequestTopic);

/** Topics list whose v0 form has no null: there an empty list means "all topics". */
const requestTopics: Codec<MetadataRequestTopic[] | null> = {
  minBytes: () => 4,
  encode(w, v, version) {
    if (version > 0) return nullableTopics.encode(w, v, version);
    if (v !== null && v.length === 0) {
      throw new MqError('INVALID_REQUEST', 'Metadata v0 cannot ask for no topics (an empty list means all topics)');
    }
    plainTopics.encode(w, v ?? [], version);
  },
  decode(r, version) {
    if (version > 0) return nullableTopics.decode(r, version);
    const topics = plainTopics.decode(r, version);
    return topics.length === 0 ? null : topics;
  },
};

export const MetadataRequest = struct({
  topics: requestTopics,
  allowAutoTopicCreation: since(4, boolean, true),
});
export type MetadataRequest = Infer<typeof MetadataRequest>;

export const MetadataResponse = struct({
  throttleTimeMs: since(3, int32, 0),
  brokers: array(struct({
    nodeId: int32,
    host: string,
    port: int32,
    rack: since(1, nullableString, null),
  })),
  clusterId: since(2, nullableString, null),
  controllerId: since(1, int32, -1),
  topics: array(struct({
    errorCode: int16,
    name: string,
    isInternal: since(1, boolean, false),
    partitions: array(struct({
      errorCode: int16,
      partitionIndex: int32,
      leaderId: int32,
      replicaNodes: array(int32),
      isrNodes: array(int32),
    })),
  })),
});
export type MetadataResponse = Infer<typeof MetadataResponse>;
