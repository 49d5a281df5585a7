// DescribeGroups: state, protocol and members of each group (unknown groups: error 0, state "Dead").
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/messages/describe-groups.js';
import type { Handler } from '../request-context.js';

export const handleDescribeGroups: Handler<DescribeGroupsRequest, DescribeGroupsResponse> = async (req, ctx) =>
  ctx.broker.groups.describeGroups(req.groups);
