package io.ipdrsp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class FailureLogTest {
    @Test
    void aBurstOfFailuresIsOneLineThenOneLinePerQuietPeriodThenOneRecoveryLine() {
        Logger logger = (Logger) LoggerFactory.getLogger("failure-log-test-" + System.nanoTime());
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        AtomicLong now = new AtomicLong(1_000);
        FailureLog log = new FailureLog(logger, Level.WARN, "segment writes", Duration.ofSeconds(10), now::get);
        RuntimeException busy = new RuntimeException("NodeUnavailableException: No connection was available");

        log.success(); // nothing failing: silent
        for (int i = 0; i < 19_064; i++) {
            log.failure("segment " + i, busy);
            now.addAndGet(100_000); // 0.1 ms apart: 1.9 s in all
        }
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.get(0).getFormattedMessage()).startsWith("segment writes failing: segment 0: ");
        assertThat(log.failuresInBurst()).isEqualTo(19_064);

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.failure("segment x", busy);
        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(1).getFormattedMessage()).contains("19064 more failures").contains("19065 since");

        log.success();
        log.success();
        assertThat(lines.list).hasSize(3);
        assertThat(lines.list.get(2).getFormattedMessage()).startsWith("segment writes recovered after 19065 failures");
        assertThat(log.failuresInBurst()).isZero();
    }
}
