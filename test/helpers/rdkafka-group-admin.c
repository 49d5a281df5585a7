/*
 * A small librdkafka (2.0.x) admin client for the group-admin interop tests: it runs ONE admin call
 * against a broker and prints the result as lines a test can parse. Compiled by the test with gcc
 * (test/integration/group-admin-interop.test.ts), so it exercises the same C parsing code a
 * librdkafka-based tool would (rdkafka_admin.c).
 *
 *   rdkafka-group-admin BOOTSTRAP list [STATE...]
 *       ListConsumerGroups (ListGroups; v4 carries the states filter)
 *       -> "GROUP <id> <state> simple=<0|1>" per group, "ERROR <text>" per broker error
 *   rdkafka-group-admin BOOTSTRAP describe GROUP...
 *       DescribeConsumerGroups (FindCoordinator + DescribeGroups)
 *       -> "GROUP <id> state=<state> assignor=<name|-> simple=<0|1> members=<n> coordinator=<id> error=<name|->"
 *          "MEMBER <group> <member id> <client id> <host> <topic:partition,...|->"
 *   rdkafka-group-admin BOOTSTRAP offsets GROUP TOPIC:PARTITION...
 *       ListConsumerGroupOffsets for the given partitions (OffsetFetch)
 *       -> "OFFSET <topic> <partition> <offset> <error name|->"
 *   rdkafka-group-admin BOOTSTRAP alter GROUP TOPIC:PARTITION:OFFSET...
 *       AlterConsumerGroupOffsets (OffsetCommit as an admin, no member) -> "ALTERED <topic> <partition> <error|->"
 *   rdkafka-group-admin BOOTSTRAP delete-offsets GROUP TOPIC:PARTITION...
 *       DeleteConsumerGroupOffsets (OffsetDelete) -> "DELETED <topic> <partition> <error|->"
 *
 * Exit status: 0 when the call completed (per-item errors are printed, not fatal), 1 when the call as a
 * whole failed ("FAILED <error name> <text>"), 2 on bad usage. A crash in librdkafka shows as a signal.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int TIMEOUT_MS = 20000;

static void usage(void) {
  fprintf(stderr, "usage: rdkafka-group-admin BOOTSTRAP list [STATE...] | describe GROUP... | "
                  "offsets GROUP T:P... | alter GROUP T:P:O... | delete-offsets GROUP T:P...\n");
  exit(2);
}

/* "topic:partition[:offset]" into the list; the topic is everything before the first ':'. */
static void add_partition(rd_kafka_topic_partition_list_t *list, const char *arg, int with_offset) {
  char *copy = strdup(arg);
  char *p = strchr(copy, ':');
  if (!p) usage();
  *p++ = '\0';
  char *o = strchr(p, ':');
  if (with_offset != (o != NULL)) usage();
  if (o) *o++ = '\0';
  rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(list, copy, atoi(p));
  if (o) tp->offset = strtoll(o, NULL, 10);
  free(copy);
}

static rd_kafka_consumer_group_state_t state_code(const char *name) {
  for (int s = 0; s < RD_KAFKA_CONSUMER_GROUP_STATE__CNT; s++) {
    if (strcmp(rd_kafka_consumer_group_state_name((rd_kafka_consumer_group_state_t)s), name) == 0)
      return (rd_kafka_consumer_group_state_t)s;
  }
  fprintf(stderr, "unknown group state %s\n", name);
  exit(2);
}

static const char *err_name(rd_kafka_resp_err_t err) {
  return err ? rd_kafka_err2name(err) : "-";
}

/* Waits for the result event of the call just made; exits 1 when the call failed as a whole. */
static rd_kafka_event_t *await_result(rd_kafka_queue_t *q) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
  if (!ev) {
    printf("FAILED _TIMED_OUT no result\n");
    exit(1);
  }
  if (rd_kafka_event_error(ev)) {
    printf("FAILED %s %s\n", rd_kafka_err2name(rd_kafka_event_error(ev)), rd_kafka_event_error_string(ev));
    exit(1);
  }
  return ev;
}

/* One group result's partitions as "<prefix> topic partition [offset] error" lines. */
static void print_group_partitions(const rd_kafka_group_result_t **groups, size_t n, const char *prefix, int with_offset) {
  for (size_t i = 0; i < n; i++) {
    const rd_kafka_error_t *gerr = rd_kafka_group_result_error(groups[i]);
    if (gerr) printf("GROUPERROR %s %s\n", rd_kafka_error_name(gerr), rd_kafka_error_string(gerr));
    const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(groups[i]);
    for (int j = 0; parts && j < parts->cnt; j++) {
      const rd_kafka_topic_partition_t *tp = &parts->elems[j];
      if (with_offset) printf("%s %s %d %lld %s\n", prefix, tp->topic, (int)tp->partition, (long long)tp->offset, err_name(tp->err));
      else printf("%s %s %d %s\n", prefix, tp->topic, (int)tp->partition, err_name(tp->err));
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) usage();
  const char *bootstrap = argv[1], *cmd = argv[2];
  char errstr[512];

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "client.id", "rdkafka-group-admin", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "%s\n", errstr);
    return 2;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "%s\n", errstr);
    return 2;
  }
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
  rd_kafka_AdminOptions_set_request_timeout(options, TIMEOUT_MS, errstr, sizeof(errstr));

  if (strcmp(cmd, "list") == 0) {
    int n = argc - 3;
    if (n > 0) {
      rd_kafka_consumer_group_state_t *states = calloc((size_t)n, sizeof(*states));
      for (int i = 0; i < n; i++) states[i] = state_code(argv[3 + i]);
      rd_kafka_error_t *e = rd_kafka_AdminOptions_set_match_consumer_group_states(options, states, (size_t)n);
      if (e) {
        fprintf(stderr, "%s\n", rd_kafka_error_string(e));
        return 2;
      }
      free(states);
    }
    rd_kafka_ListConsumerGroups(rk, options, q);
    rd_kafka_event_t *ev = await_result(q);
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t cnt, ecnt;
    const rd_kafka_ConsumerGroupListing_t **valid = rd_kafka_ListConsumerGroups_result_valid(res, &cnt);
    for (size_t i = 0; i < cnt; i++) {
      printf("GROUP %s %s simple=%d\n", rd_kafka_ConsumerGroupListing_group_id(valid[i]),
             rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i])),
             rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]));
    }
    const rd_kafka_error_t **errors = rd_kafka_ListConsumerGroups_result_errors(res, &ecnt);
    for (size_t i = 0; i < ecnt; i++) printf("ERROR %s\n", rd_kafka_error_string(errors[i]));
    rd_kafka_event_destroy(ev);
  } else if (strcmp(cmd, "describe") == 0) {
    if (argc < 4) usage();
    rd_kafka_DescribeConsumerGroups(rk, (const char **)&argv[3], (size_t)(argc - 3), options, q);
    rd_kafka_event_t *ev = await_result(q);
    size_t cnt;
    const rd_kafka_ConsumerGroupDescription_t **groups =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &cnt);
    for (size_t i = 0; i < cnt; i++) {
      const rd_kafka_ConsumerGroupDescription_t *g = groups[i];
      const rd_kafka_error_t *gerr = rd_kafka_ConsumerGroupDescription_error(g);
      const char *assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(g);
      const rd_kafka_Node_t *coordinator = rd_kafka_ConsumerGroupDescription_coordinator(g);
      size_t members = rd_kafka_ConsumerGroupDescription_member_count(g);
      printf("GROUP %s state=%s assignor=%s simple=%d members=%zu coordinator=%d error=%s\n",
             rd_kafka_ConsumerGroupDescription_group_id(g),
             rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g)),
             assignor && *assignor ? assignor : "-", rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(g),
             members, coordinator ? rd_kafka_Node_id(coordinator) : -1, gerr ? rd_kafka_error_name(gerr) : "-");
      for (size_t m = 0; m < members; m++) {
        const rd_kafka_MemberDescription_t *md = rd_kafka_ConsumerGroupDescription_member(g, m);
        const rd_kafka_topic_partition_list_t *parts =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
        printf("MEMBER %s %s %s %s ", rd_kafka_ConsumerGroupDescription_group_id(g),
               rd_kafka_MemberDescription_consumer_id(md), rd_kafka_MemberDescription_client_id(md),
               rd_kafka_MemberDescription_host(md));
        if (!parts || parts->cnt == 0) printf("-");
        for (int j = 0; parts && j < parts->cnt; j++) printf("%s%s:%d", j ? "," : "", parts->elems[j].topic, (int)parts->elems[j].partition);
        printf("\n");
      }
    }
    rd_kafka_event_destroy(ev);
  } else if (strcmp(cmd, "offsets") == 0 || strcmp(cmd, "alter") == 0 || strcmp(cmd, "delete-offsets") == 0) {
    if (argc < 5) usage();
    int alter = strcmp(cmd, "alter") == 0;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(argc - 4);
    for (int i = 4; i < argc; i++) add_partition(parts, argv[i], alter);
    if (strcmp(cmd, "offsets") == 0) {
      rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(argv[3], parts);
      rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, options, q);
      rd_kafka_ListConsumerGroupOffsets_destroy(req);
      rd_kafka_event_t *ev = await_result(q);
      size_t cnt;
      const rd_kafka_group_result_t **groups =
          rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &cnt);
      print_group_partitions(groups, cnt, "OFFSET", 1);
      rd_kafka_event_destroy(ev);
    } else if (alter) {
      rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(argv[3], parts);
      rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, options, q);
      rd_kafka_AlterConsumerGroupOffsets_destroy(req);
      rd_kafka_event_t *ev = await_result(q);
      size_t cnt;
      const rd_kafka_group_result_t **groups =
          rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &cnt);
      print_group_partitions(groups, cnt, "ALTERED", 0);
      rd_kafka_event_destroy(ev);
    } else {
      rd_kafka_DeleteConsumerGroupOffsets_t *req = rd_kafka_DeleteConsumerGroupOffsets_new(argv[3], parts);
      rd_kafka_DeleteConsumerGroupOffsets(rk, &req, 1, options, q);
      rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
      rd_kafka_event_t *ev = await_result(q);
      size_t cnt;
      const rd_kafka_group_result_t **groups =
          rd_kafka_DeleteConsumerGroupOffsets_result_groups(rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &cnt);
      print_group_partitions(groups, cnt, "DELETED", 0);
      rd_kafka_event_destroy(ev);
    }
    rd_kafka_topic_partition_list_destroy(parts);
  } else {
    usage();
  }

  fflush(stdout);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return 0;
}
