/*
 * A librdkafka transactional producer for the transaction tests (built with gcc against Debian's
 * librdkafka-dev 2.0.2): init_transactions, then one transaction of N records that is committed or
 * aborted, or (mode "open") left open and the process exits without ending it.
 *
 *   rdkafka-txn BOOTSTRAP TOPIC TRANSACTIONAL_ID commit|abort|open N VALUE_PREFIX [transaction.timeout.ms]
 *
 * Prints "init ok", "commit ok" / "abort ok" / "open", or "error: <what librdkafka said>" and exits 1.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *step, rd_kafka_error_t *error) {
  printf("error: %s: %s: %s\n", step, rd_kafka_error_name(error), rd_kafka_error_string(error));
  fflush(stdout);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s BOOTSTRAP TOPIC TRANSACTIONAL_ID commit|abort|open N VALUE_PREFIX [transaction.timeout.ms]\n", argv[0]);
    return 2;
  }
  const char *mode = argv[4];
  int n = atoi(argv[5]);
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "transactional.id", argv[3], errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
      (argc > 7 && rd_kafka_conf_set(conf, "transaction.timeout.ms", argv[7], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)) {
    printf("error: config: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    printf("error: new: %s\n", errstr);
    return 1;
  }
  rd_kafka_error_t *error = rd_kafka_init_transactions(rk, 30000);
  if (error) fail("init_transactions", error);
  printf("init ok\n");
  fflush(stdout);
  if ((error = rd_kafka_begin_transaction(rk))) fail("begin_transaction", error);
  for (int i = 0; i < n; i++) {
    char value[256];
    snprintf(value, sizeof value, "%s-%d", argv[6], i);
    rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_VALUE(value, strlen(value)),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
      printf("error: produce: %s\n", rd_kafka_err2str(err));
      return 1;
    }
  }
  /* Sent before the transaction ends, so an abort has records to abort (it would otherwise purge them unsent). */
  rd_kafka_flush(rk, 30000);
  if (strcmp(mode, "open") == 0) {
    printf("open\n");
    fflush(stdout);
    _exit(0); /* leave the transaction open, as a crashed producer would */
  }
  if (strcmp(mode, "commit") == 0) {
    if ((error = rd_kafka_commit_transaction(rk, 30000))) fail("commit_transaction", error);
    printf("commit ok\n");
  } else {
    if ((error = rd_kafka_abort_transaction(rk, 30000))) fail("abort_transaction", error);
    printf("abort ok\n");
  }
  rd_kafka_destroy(rk);
  return 0;
}
