package dev.loginpipe.producer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Valid user-login events that look real: a stable set of returning users, each with their own device, app version,
 * locale and usual IP address, logging in at the current epoch second. The same seed gives the same users and events.
 */
public final class EventGenerator {
    static final int RETURNING_USERS = 1000;
    private static final List<String> DEVICE_TYPES = List.of("android", "iOS", "web", "iPadOS", "windows", "macOS");
    private static final List<String> APP_VERSIONS = List.of("2.3.0", "2.3.1", "2.4.0", "2.4.2", "3.0.0", "3.1.0");
    private static final List<String> LOCALES = List.of("en", "de", "fr", "es", "it", "pt", "nl", "pl", "ja", "ko");
    /** First octets of private, loopback, shared, link-local and reserved ranges: never used. */
    private static final List<Integer> NON_PUBLIC_FIRST_OCTETS = List.of(0, 10, 100, 127, 169, 172, 192);
    /** Share of logins from somewhere other than the user's usual address (travel, mobile networks). */
    private static final double ROAMING_SHARE = 0.2;

    private record User(String userId, String deviceId, String deviceType, String appVersion, String locale,
                        String usualIp) {
    }

    private final Random random;
    private final Clock clock;
    private final List<User> users = new ArrayList<>();

    public EventGenerator(Random random, Clock clock) {
        this.random = random;
        this.clock = clock;
        for (int i = 0; i < RETURNING_USERS; i++) {
            users.add(new User(uuid(), uuid(), pick(DEVICE_TYPES), pick(APP_VERSIONS), pick(LOCALES), publicIp()));
        }
    }

    /** One valid event, fields in schema order, ready to be serialized or spoiled. */
    public Map<String, Object> next() {
        User user = users.get(random.nextInt(users.size()));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("user_id", user.userId());
        event.put("app_version", user.appVersion());
        event.put("device_type", user.deviceType());
        event.put("ip", random.nextDouble() < ROAMING_SHARE ? publicIp() : user.usualIp());
        event.put("locale", user.locale());
        event.put("device_id", user.deviceId());
        event.put("timestamp", clock.instant().getEpochSecond());
        return event;
    }

    /** A random (version 4) UUID drawn from the seeded generator, so runs repeat. */
    private String uuid() {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private String publicIp() {
        int first;
        do {
            first = 1 + random.nextInt(223);
        } while (NON_PUBLIC_FIRST_OCTETS.contains(first));
        return first + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
