package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The record values the micro-benchmarks feed in: one valid event and one of each kind of invalid value. */
public enum SampleEvents {
    VALID(json("10.24.7.191", "en", "1700000000")),
    MISSING_FIELD(json("10.24.7.191", "en", "1700000000").replace("\"device_type\":\"android\",", "")),
    BAD_IP(json("999.1.1.1", "en", "1700000000")),
    LONG_LOCALE(json("10.24.7.191", "eng", "1700000000")),
    TIMESTAMP_AS_STRING(json("10.24.7.191", "en", "\"1700000000\"")),
    EXTRA_FIELD(json("10.24.7.191", "en", "1700000000").replace("}", ",\"session_id\":\"5f1c\"}")),
    NOT_JSON(json("10.24.7.191", "en", "1700000000").substring(0, 90)),
    NOT_UTF8(notUtf8()),
    EMPTY(new byte[0]);

    private final byte[] value;

    SampleEvents(String value) {
        this(value.getBytes(UTF_8));
    }

    SampleEvents(byte[] value) {
        this.value = value;
    }

    /** A fresh copy, so a benchmark cannot share state with another through it. */
    public byte[] value() {
        return value.clone();
    }

    /** The {@code n}th of a stream of distinct valid events: user, address and time vary with {@code n}. */
    public static byte[] valid(long n) {
        String ip = "10." + (n >> 16 & 0xFF) + "." + (n >> 8 & 0xFF) + "." + (n & 0xFF);
        return json(ip, "en", Long.toString(1_700_000_000L + n / 1000))
                .replace("u-7c9e6679-7425-40de-944b", "u-" + n)
                .getBytes(UTF_8);
    }

    /** The size and shape of what the producer generates (about 200 bytes). */
    private static String json(String ip, String locale, String timestamp) {
        return "{\"user_id\":\"u-7c9e6679-7425-40de-944b\",\"app_version\":\"4.12.1\",\"device_type\":\"android\","
                + "\"ip\":\"" + ip + "\",\"locale\":\"" + locale + "\","
                + "\"device_id\":\"d-0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":" + timestamp + "}";
    }

    /** A valid event with one byte that can never appear in UTF-8 in the middle. */
    private static byte[] notUtf8() {
        byte[] bytes = json("10.24.7.191", "en", "1700000000").getBytes(UTF_8);
        bytes[bytes.length / 2] = (byte) 0xFF;
        return bytes;
    }
}
