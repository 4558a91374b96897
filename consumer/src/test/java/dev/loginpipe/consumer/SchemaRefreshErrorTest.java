package dev.loginpipe.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loginpipe.common.schema.SchemaSource;
import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.validation.EventValidator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/**
 * An Error in a refresh (out of memory on a huge answer, a class that did not load) is an unusable answer with its
 * reason shown, and the refreshes go on: thrown out of the scheduled task, it would end them without a word.
 */
class SchemaRefreshErrorTest {
    private static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);
    private static final SchemaVersion V1 = SchemaVersion.ofRegistry(1, 1, "f1", VALIDATOR);
    private static final SchemaVersion V2 = SchemaVersion.ofRegistry(2, 2, "f2", VALIDATOR);

    @Test
    void anErrorIsAnUnusableAnswerWithItsReason() {
        AtomicInteger calls = new AtomicInteger();
        SchemaSource source = current -> {
            if (calls.incrementAndGet() == 2) {
                throw new OutOfMemoryError("Java heap space");
            }
            return V1;
        };
        LiveSchema live = new LiveSchema(source, "stub", new ConsumerMetrics(new PrometheusRegistry()), Runnable::run);
        live.refresh();
        live.refresh();
        assertThat(live.current()).isSameAs(V1);
        assertThat(live.warning()).isEqualTo("schema refresh failed (bad-answer): the refresh threw OutOfMemoryError: "
                + "Java heap space; still judging by registry id 1, version 1");
    }

    @Test
    void theScheduledRefreshesGoOnAfterAnError() {
        AtomicInteger calls = new AtomicInteger();
        SchemaSource source = current -> switch (calls.incrementAndGet()) {
            case 1 -> V1;
            case 2 -> throw new NoClassDefFoundError("com/example/Gone");
            default -> V2;
        };
        try (LiveSchema live = LiveSchema.start(source, "stub", 100, new ConsumerMetrics(new PrometheusRegistry()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> live.current() == V2);
        }
    }
}
