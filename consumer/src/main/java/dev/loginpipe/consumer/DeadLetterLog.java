package dev.loginpipe.consumer;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per dead-lettered record, after its commit (a retried batch is not logged twice), a few a second at most. */
final class DeadLetterLog {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingLoop.class);

    private long second;
    private int logged;

    void log(List<String> lines) {
        long now = System.currentTimeMillis() / 1000;
        if (now != second) {
            second = now;
            logged = 0;
        }
        for (String line : lines) {
            if (logged++ >= OpenTransaction.DLQ_LINES) {
                return;
            }
            LOG.info(line);
        }
    }
}
