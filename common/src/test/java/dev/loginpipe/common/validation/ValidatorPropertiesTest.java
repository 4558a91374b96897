package dev.loginpipe.common.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever the bytes, the validator answers with one consistent verdict and never throws. */
class ValidatorPropertiesTest {
    static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);
    static final byte[] VALID = EventValidatorTest.VALID.getBytes(StandardCharsets.UTF_8);

    static void assertConsistent(ValidationResult result) {
        assertThat(result).isNotNull();
        if (result.isValid()) {
            assertThat(result.violations()).isEmpty();
            return;
        }
        assertThat(result.message()).isNotBlank().doesNotContain("\n");
        assertThat(result.violations().isEmpty()).isEqualTo(result.reason() != Reason.SCHEMA);
    }

    @Property(tries = 3000)
    void randomBytesAreAlwaysClassified(@ForAll @Size(max = 300) byte[] value) {
        ValidationResult result = VALIDATOR.validate(value);
        assertConsistent(result);
        if (Utf8.firstInvalid(value) >= 0) {
            assertThat(result.reason()).isEqualTo(Reason.NOT_UTF8);
        }
    }

    /** The strict check finds the same first ill-formed byte as the JDK's decoder, also after a long ASCII run. */
    @Property(tries = 3000)
    void utf8CheckAgreesWithTheJdk(@ForAll @Size(max = 40) String ascii, @ForAll @Size(max = 40) byte[] tail) {
        byte[] prefix = ascii.replaceAll("[^\\x00-\\x7F]", "a").getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[prefix.length + tail.length];
        System.arraycopy(prefix, 0, value, 0, prefix.length);
        System.arraycopy(tail, 0, value, prefix.length, tail.length);
        ByteBuffer in = ByteBuffer.wrap(value);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .decode(in, CharBuffer.allocate(value.length * 2), true);
        assertThat(Utf8.firstInvalid(value)).isEqualTo(result.isError() ? in.position() : -1);
    }

    @Property(tries = 3000)
    void mutatedEventsAreAlwaysClassified(@ForAll("mutations") byte[] value) {
        assertConsistent(VALIDATOR.validate(value));
    }

    @Property(tries = 1000)
    void arbitraryTextIsNeverNotUtf8(@ForAll @Size(max = 200) String text) {
        ValidationResult result = VALIDATOR.validate(text.getBytes(StandardCharsets.UTF_8));
        assertConsistent(result);
        if (text.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
            assertThat(result.reason()).isNotEqualTo(Reason.NOT_UTF8);
        }
    }

    /** networknt's own ipv4 format (its regular expression), which {@link Ipv4Format} must decide identically. */
    private static final com.networknt.schema.Format NETWORKNT_IPV4 = com.networknt.schema.Formats.DEFAULT.stream()
            .filter(f -> f.getName().equals("ipv4")).findFirst().orElseThrow();

    @Property(tries = 20000)
    void ipv4CheckAgreesWithNetworkntsExpression(@ForAll("addressLike") String s) {
        assertThat(Ipv4Format.isDottedQuad(s)).as(s).isEqualTo(NETWORKNT_IPV4.matches(null, s));
    }

    /** Mostly near misses: numbers around 0 and 255 with leading zeros, parts missing or extra, stray characters. */
    @Provide
    Arbitrary<String> addressLike() {
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 300).map(String::valueOf),
                Arbitraries.integers().between(0, 300).map(n -> "0" + n),
                Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(5),
                Arbitraries.of("", "-1", "+1", "1a", " 1", "1 ", "\u0661", "\uff11", "1\n", "0x1", "1e2"));
        Arbitrary<String> joined = number.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join(".", parts));
        Arbitrary<String> anything = Arbitraries.strings().withChars("0123456789.\n ").ofMaxLength(20);
        return Arbitraries.oneOf(joined, joined, anything);
    }

    /** A valid event with a few bytes overwritten, inserted or cut away. */
    @Provide
    Arbitrary<byte[]> mutations() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length - 1);
        Arbitrary<Byte> anyByte = Arbitraries.bytes();
        Arbitrary<byte[]> overwrite = net.jqwik.api.Combinators.combine(position, anyByte).as((at, b) -> {
            byte[] copy = VALID.clone();
            copy[at] = b;
            return copy;
        });
        Arbitrary<byte[]> cut = position.map(at -> java.util.Arrays.copyOf(VALID, at));
        Arbitrary<byte[]> insert = net.jqwik.api.Combinators.combine(position, Arbitraries.of("\"", "{", "}", ",", ":",
                "1", "null", "[", "\\", "\u00e9", "999", "\"x\":1,")).as((at, s) -> {
            byte[] add = s.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[VALID.length + add.length];
            System.arraycopy(VALID, 0, out, 0, at);
            System.arraycopy(add, 0, out, at, add.length);
            System.arraycopy(VALID, at, out, at + add.length, VALID.length - at);
            return out;
        });
        return Arbitraries.oneOf(overwrite, cut, insert);
    }
}
