package dev.loginpipe.producer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An endless stream of generated events keyed by user id, a share {@code invalidRatio} of them deliberately bad. */
public final class GeneratedEvents implements EventSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random;
    private final double invalidRatio;
    private final EventGenerator generator;
    private final InvalidEvents invalid;

    public GeneratedEvents(long seed, double invalidRatio, Clock clock) {
        this.random = new Random(seed);
        this.invalidRatio = invalidRatio;
        this.generator = new EventGenerator(random, clock);
        this.invalid = new InvalidEvents(random, JSON);
    }

    @Override
    public Optional<OutgoingRecord> next() throws JsonProcessingException {
        Map<String, Object> event = generator.next();
        byte[] key = ((String) event.get("user_id")).getBytes(StandardCharsets.UTF_8);
        byte[] value = random.nextDouble() < invalidRatio
                ? invalid.spoil(event, invalid.pickKind())
                : JSON.writeValueAsBytes(event);
        return Optional.of(new OutgoingRecord(key, value));
    }
}
