package dev.loginpipe.common.validation;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded differential fuzzing of the one-pass check against the schema library: schemas generated within the check's
 * subset, documents generated around each (boundary numbers, unicode escapes, duplicate keys, deep nesting, huge
 * strings) and mutated (bytes changed, invalid UTF-8, trailing text, other encodings). The check may refuse what the
 * library accepts (the library then decides), never accept what it rejects. A failure names its seed;
 * {@code -Dloginpipe.fuzz.seed=N} replays one, {@code -Dloginpipe.fuzz.seeds=N} runs more.
 */
class OnePassDifferentialTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int DOCUMENTS_PER_SCHEMA = 100;

    @Test
    void neverAcceptsWhatTheLibraryRejects() {
        Long one = Long.getLong("loginpipe.fuzz.seed");
        if (one != null) {
            assertHolds(one, one + 1);
        } else {
            assertHolds(1, 1 + Long.getLong("loginpipe.fuzz.seeds", 60));
        }
    }

    /** At least 1,000,000 documents (a schema or two in a hundred has no check, and no documents). */
    @Test
    @Tag("slow")
    void aMillionDocuments() {
        assertThat(assertHolds(1_000_000, 1_000_000 + Long.getLong("loginpipe.fuzz.slowSeeds", 10_200)))
                .isGreaterThanOrEqualTo(1_000_000);
    }

    /** Fuzzes the schemas of seeds {@code from} to {@code to}; returns how many documents were compared. */
    private static long assertHolds(long from, long to) {
        long documents = 0;
        long accepted = 0;
        long libraryValid = 0;
        int unchecked = 0;
        List<String> disagreements = new ArrayList<>();
        for (long seed = from; seed < to; seed++) {
            Random random = new Random(seed);
            JsonNode schema = new Schemas(random).root();
            EventValidator validator = EventValidator.compile(schema, "seed " + seed, Map.of(),
                    EventValidator.DEFAULT_MAX_JSON_DEPTH);
            OnePassCheck check = validator.onePass();
            if (check == null) {
                unchecked++;
                continue;
            }
            Documents generator = new Documents(random, schema);
            for (int i = 0; i < DOCUMENTS_PER_SCHEMA; i++) {
                byte[] value = generator.next();
                documents++;
                boolean valid = validator.validateByLibrary(value).isValid();
                libraryValid += valid ? 1 : 0;
                if (check.accepts(value)) {
                    accepted++;
                    if (!valid) {
                        disagreements.add("seed " + seed + ", document " + i + ": schema " + schema + ", value "
                                + shown(value) + ": " + validator.validateByLibrary(value).message());
                    }
                }
            }
        }
        System.out.printf("one-pass fuzzing, seeds %d..%d: %d documents, %d valid by the library, %d of them accepted "
                + "in one pass; %d schemas without a check%n", from, to - 1, documents, libraryValid, accepted, unchecked);
        assertThat(disagreements).as("accepted in one pass, rejected by the library; replay with "
                + "-Dloginpipe.fuzz.seed=N").isEmpty();
        assertThat(unchecked).as("generated schemas outside the subset").isLessThanOrEqualTo((int) ((to - from) / 20));
        assertThat(accepted).as("documents accepted in one pass").isGreaterThan(libraryValid / 2);
        return documents;
    }

    private static String shown(byte[] value) {
        String text = new String(value, UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "... (" + value.length + " bytes)" : text;
    }

    /** Schemas within the subset: objects, arrays and scalars with their keywords, references to definitions. */
    static final class Schemas {
        private static final String[] NAMES = {"a", "b", "ip", "n", "é", "a b", "\u0000", "~/"};
        static final String[] PATTERNS = {"^a", "b$", "^[0-9]+$", "é", "^.{2}$", "\\d", "^$", "😀"};
        private static final double[] BOUNDS = {0, 1, -1, 2.5, 3.0, 100, 9007199254740992.0, -9007199254740992.0, 1e-3};
        private final Random random;
        private final ObjectNode definitions = NODES.objectNode();

        Schemas(Random random) {
            this.random = random;
        }

        JsonNode root() {
            JsonNode root = schema(3);
            if (!definitions.isEmpty() && root.isObject()) {
                ((ObjectNode) root).set("definitions", definitions);
            }
            if (root.isObject() && random.nextInt(4) == 0) {
                ((ObjectNode) root).put("$id", "https://loginpipe.dev/fuzz.json");
            }
            return root;
        }

        private JsonNode schema(int depth) {
            int kind = depth == 0 ? 3 + random.nextInt(5) : random.nextInt(10);
            return switch (kind) {
                case 0, 1 -> object(depth);
                case 2 -> array(depth);
                case 3 -> string();
                case 4 -> number();
                case 5 -> values();
                case 6 -> random.nextInt(8) == 0 ? NODES.booleanNode(random.nextInt(4) > 0) : string();
                case 7 -> depth > 0 && random.nextBoolean() ? reference(depth) : number();
                default -> object(depth);
            };
        }

        private ObjectNode object(int depth) {
            ObjectNode schema = NODES.objectNode();
            if (random.nextInt(5) > 0) {
                schema.put("type", "object");
            }
            ObjectNode properties = schema.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (int i = random.nextInt(4); i >= 0; i--) {
                String name = NAMES[random.nextInt(NAMES.length)];
                properties.set(name, schema(depth - 1));
                if (random.nextInt(3) > 0) {
                    required.add(name);
                }
            }
            if (random.nextInt(5) == 0) {
                required.add(NAMES[random.nextInt(NAMES.length)]); // maybe not among the properties
            }
            java.util.Set<String> unique = new java.util.LinkedHashSet<>();
            required.forEach(n -> unique.add(n.asText()));
            required.removeAll();
            unique.forEach(required::add);
            if (!required.isEmpty()) {
                schema.set("required", required);
            }
            switch (random.nextInt(4)) {
                case 0 -> schema.put("additionalProperties", false);
                case 1 -> schema.set("additionalProperties", schema(0));
                default -> { }
            }
            if (random.nextInt(6) == 0) {
                schema.put("minProperties", random.nextInt(3));
            }
            if (random.nextInt(6) == 0) {
                schema.put("maxProperties", random.nextInt(4));
            }
            return schema;
        }

        private ObjectNode array(int depth) {
            ObjectNode schema = NODES.objectNode();
            schema.put("type", "array");
            if (random.nextBoolean()) {
                schema.set("items", schema(depth - 1));
            } else {
                ArrayNode tuple = schema.putArray("items");
                for (int i = random.nextInt(3); i >= 0; i--) {
                    tuple.add(schema(depth - 1));
                }
                switch (random.nextInt(3)) {
                    case 0 -> schema.put("additionalItems", false);
                    case 1 -> schema.set("additionalItems", schema(0));
                    default -> { }
                }
            }
            if (random.nextInt(4) == 0) {
                schema.put("minItems", random.nextInt(3));
            }
            if (random.nextInt(4) == 0) {
                schema.put("maxItems", random.nextInt(4));
            }
            if (random.nextInt(8) == 0) {
                schema.put("uniqueItems", false);
            }
            return schema;
        }

        private ObjectNode string() {
            ObjectNode schema = NODES.objectNode();
            if (random.nextInt(6) == 0) {
                schema.putArray("type").add("string").add("null");
            } else if (random.nextInt(6) > 0) {
                schema.put("type", "string");
            }
            if (random.nextInt(3) == 0) {
                schema.put("minLength", random.nextInt(3));
            }
            if (random.nextInt(3) == 0) {
                schema.put("maxLength", random.nextInt(4));
            }
            switch (random.nextInt(4)) {
                case 0 -> schema.put("pattern", PATTERNS[random.nextInt(PATTERNS.length)]);
                case 1 -> schema.put("format", "ipv4");
                default -> { }
            }
            return schema;
        }

        private ObjectNode number() {
            ObjectNode schema = NODES.objectNode();
            schema.put("type", random.nextBoolean() ? "integer" : "number");
            String[] keywords = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};
            for (String keyword : keywords) {
                if (random.nextInt(3) == 0) {
                    double bound = BOUNDS[random.nextInt(BOUNDS.length)];
                    if (bound == Math.rint(bound) && random.nextBoolean()) {
                        schema.put(keyword, (long) bound);
                    } else {
                        schema.put(keyword, bound);
                    }
                }
            }
            return schema;
        }

        private ObjectNode values() {
            ObjectNode schema = NODES.objectNode();
            ArrayNode values = NODES.arrayNode();
            java.util.Set<JsonNode> unique = new java.util.LinkedHashSet<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                unique.add(Documents.scalar(random));
            }
            unique.forEach(values::add);
            if (random.nextInt(3) == 0) {
                schema.set("const", values.get(0));
            } else {
                schema.set("enum", values);
            }
            return schema;
        }

        private ObjectNode reference(int depth) {
            ObjectNode ref = NODES.objectNode();
            if (depth < 3 && random.nextInt(4) == 0) {
                ref.put("$ref", "#"); // recursion through the document's own root
                return ref;
            }
            String name = "d" + definitions.size();
            definitions.set(name, schema(depth - 1));
            ref.put("$ref", "#/definitions/" + name);
            return ref;
        }
    }

    /** Documents around one schema: mostly near-valid, with boundary values; a third mutated as bytes. */
    static final class Documents {
        private static final String[] NUMBERS = {"0", "-0", "1", "-1", "2", "3", "2.5", "3.0", "1.0", "100", "101",
                "99", "1e2", "1E400", "-1e400", "0.001", "1e-3", "9007199254740992", "9007199254740993",
                "-9007199254740993", "9223372036854775807", "9223372036854775808", "123456789012345678901234567890",
                "0.5", "4.9e-324"};
        private static final String[] STRINGS = {"", "a", "b", "ab", "ba", "aé", "é", "12", "1a", "\\u00e9",
                "\\uD83D\\uDE00", "\\ud800", "\\u0000", "x\\ny", "\\\"", "\\/", "😀", "😀😀", "abc", "a\\u0062",
                "10.0.0.1", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "0.0.0.0",
                "１.2.3.4", "1.2.3.4\\n", " 1.2.3.4", "127.0.0.01"};
        private final Random random;
        private final JsonNode root;

        Documents(Random random, JsonNode root) {
            this.random = random;
            this.root = root;
        }

        byte[] next() {
            StringBuilder out = new StringBuilder();
            value(out, root, 0);
            String text = out.toString();
            if (random.nextInt(40) == 0) {
                text = deep(text);
            }
            if (random.nextInt(500) == 0) {
                text = text.replaceFirst("\"[^\"]*\"", "\"" + "a".repeat(70_000) + "\"");
            }
            byte[] bytes = text.getBytes(UTF_8);
            return random.nextInt(3) == 0 ? mutate(bytes) : bytes;
        }

        private void value(StringBuilder out, JsonNode schema, int depth) {
            if (random.nextInt(25) == 0 || depth > 6 || schema.isBoolean()) {
                any(out, depth);
                return;
            }
            if (schema.has("$ref")) {
                String ref = schema.get("$ref").asText();
                value(out, ref.equals("#") ? root : root.at(ref.substring(1)), depth + 1);
                return;
            }
            JsonNode values = schema.has("const") ? NODES.arrayNode().add(schema.get("const")) : schema.get("enum");
            if (values != null) {
                if (random.nextInt(4) > 0) {
                    out.append(values.get(random.nextInt(values.size())));
                } else {
                    out.append(scalar(random));
                }
                return;
            }
            String type = schema.path("type").isArray() ? schema.get("type").get(random.nextInt(2)).asText()
                    : schema.path("type").asText(schema.has("properties") ? "object" : "string");
            if (random.nextInt(15) == 0) {
                type = new String[] {"object", "array", "string", "integer", "number", "null", "boolean"}[random.nextInt(7)];
            }
            switch (type) {
                case "object" -> object(out, schema, depth);
                case "array" -> array(out, schema, depth);
                case "integer", "number" -> out.append(NUMBERS[random.nextInt(NUMBERS.length)]);
                case "null" -> out.append("null");
                case "boolean" -> out.append(random.nextBoolean());
                default -> string(out, schema);
            }
        }

        private void object(StringBuilder out, JsonNode schema, int depth) {
            out.append('{');
            List<String> names = new ArrayList<>();
            schema.path("properties").fieldNames().forEachRemaining(names::add);
            schema.path("required").forEach(n -> names.add(n.asText()));
            if (random.nextInt(6) == 0) {
                names.add("extra");
            }
            boolean first = true;
            for (String name : names) {
                if (random.nextInt(8) == 0) {
                    continue;
                }
                for (int times = random.nextInt(30) == 0 ? 2 : 1; times > 0; times--) { // now and then a duplicate
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    key(out, name);
                    JsonNode property = schema.path("properties").get(name);
                    JsonNode additional = schema.get("additionalProperties");
                    value(out, property != null ? property : additional != null ? additional : NODES.booleanNode(true),
                            depth + 1);
                }
            }
            out.append('}');
        }

        private void key(StringBuilder out, String name) {
            if (random.nextInt(10) == 0 && !name.isEmpty()) {
                out.append("\"\\u").append(String.format("%04x", (int) name.charAt(0)));
                escaped(out, name.substring(1));
                out.append("\":");
            } else {
                out.append('"');
                escaped(out, name);
                out.append("\":");
            }
        }

        private static void escaped(StringBuilder out, String text) {
            for (char c : text.toCharArray()) {
                if (c < 0x20 || c == '"' || c == '\\') {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }

        private void array(StringBuilder out, JsonNode schema, int depth) {
            out.append('[');
            int length = random.nextInt(schema.path("items").isArray() ? schema.get("items").size() + 2 : 4);
            for (int i = 0; i < length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                JsonNode items = schema.path("items");
                JsonNode item = items.isArray() ? (i < items.size() ? items.get(i) : schema.path("additionalItems"))
                        : items;
                value(out, item.isMissingNode() ? NODES.booleanNode(true) : item, depth + 1);
            }
            out.append(']');
        }

        private void string(StringBuilder out, JsonNode schema) {
            out.append('"');
            if (schema.has("pattern") && random.nextBoolean()) {
                String[] near = {"a", "ab", "b", "123", "é", "12", "", "x1", "😀", "aé"};
                out.append(near[random.nextInt(near.length)]);
            } else {
                out.append(STRINGS[random.nextInt(STRINGS.length)]);
            }
            out.append('"');
        }

        /** Any JSON value, scalars mostly. */
        private void any(StringBuilder out, int depth) {
            switch (depth > 6 ? 3 : random.nextInt(6)) {
                case 0 -> {
                    out.append('{');
                    key(out, "k");
                    any(out, depth + 1);
                    if (random.nextInt(4) == 0) {
                        out.append(',');
                        key(out, random.nextBoolean() ? "k" : "l"); // duplicate or not
                        any(out, depth + 1);
                    }
                    out.append('}');
                }
                case 1 -> {
                    out.append('[');
                    any(out, depth + 1);
                    out.append(']');
                }
                case 2 -> out.append(NUMBERS[random.nextInt(NUMBERS.length)]);
                default -> out.append(scalar(random));
            }
        }

        static JsonNode scalar(Random random) {
            return switch (random.nextInt(8)) {
                case 0 -> NODES.textNode("a");
                case 1 -> NODES.textNode(new String[] {"b", "é", "", "1"}[random.nextInt(4)]);
                case 2 -> NODES.numberNode(random.nextInt(3) - 1);
                case 3 -> NODES.numberNode(random.nextBoolean() ? 1.0 : 2.5);
                case 4 -> NODES.booleanNode(random.nextBoolean());
                case 5 -> NODES.nullNode();
                case 6 -> NODES.numberNode(new java.math.BigInteger("9223372036854775808"));
                default -> NODES.numberNode(9007199254740993L);
            };
        }

        /** The document at the bottom of arrays nested to around the depth limit. */
        private String deep(String text) {
            int levels = EventValidator.DEFAULT_MAX_JSON_DEPTH - 3 + random.nextInt(6);
            return "[".repeat(levels) + text + "]".repeat(levels);
        }

        private byte[] mutate(byte[] bytes) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            switch (random.nextInt(9)) {
                case 0 -> { // one byte changed
                    byte[] copy = bytes.clone();
                    if (copy.length > 0) {
                        String replacements = "{}[],:\"\\ 0a-.eE\u007f";
                        copy[at] = (byte) replacements.charAt(random.nextInt(replacements.length()));
                    }
                    return copy;
                }
                case 1 -> { // one byte removed
                    out.write(bytes, 0, at);
                    out.write(bytes, Math.min(at + 1, bytes.length), Math.max(0, bytes.length - at - 1));
                }
                case 2 -> { // ill-formed UTF-8 inserted
                    byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                            {(byte) 0xE9}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
                    out.write(bytes, 0, at);
                    out.writeBytes(bad[random.nextInt(bad.length)]);
                    out.write(bytes, at, bytes.length - at);
                }
                case 3 -> { // a second document or trailing text
                    out.writeBytes(bytes);
                    out.writeBytes(new String[] {" {}", " 1", "x", "\n", " ", "]", "}", "//"}[random.nextInt(8)]
                            .getBytes(UTF_8));
                }
                case 4 -> { // white space, a byte-order mark, nothing at all
                    String[] fronts = {" ", "\uFEFF", "\t\n", ""};
                    out.writeBytes(fronts[random.nextInt(fronts.length)].getBytes(UTF_8));
                    if (random.nextInt(4) > 0) {
                        out.writeBytes(bytes);
                    }
                }
                case 5 -> { // another encoding, which the parser detects
                    return new String(bytes, UTF_8).getBytes(UTF_16BE);
                }
                case 6 -> { // a control character inside a string
                    out.write(bytes, 0, at);
                    out.write(random.nextBoolean() ? 0x01 : '\n');
                    out.write(bytes, at, bytes.length - at);
                }
                case 7 -> { // cut short
                    out.write(bytes, 0, at);
                }
                default -> { // comments, single quotes, NaN: JSON5 the parser must refuse
                    String[] extras = {"/*c*/", "'a'", "NaN", "+1", ".5", "01", "\\x41"};
                    out.write(bytes, 0, at);
                    out.writeBytes(extras[random.nextInt(extras.length)].getBytes(UTF_8));
                    out.write(bytes, at, bytes.length - at);
                }
            }
            return out.toByteArray();
        }
    }

    /** The generator's own check: its near-valid documents parse, so mutations are not all it produces. */
    @Test
    void generatedDocumentsAreMostlyJson() {
        Random random = new Random(7);
        int parsed = 0;
        for (int i = 0; i < 200; i++) {
            Documents documents = new Documents(random, new Schemas(random).root());
            try {
                JSON.readTree(documents.next());
                parsed++;
            } catch (java.io.IOException e) {
                // mutated
            }
        }
        assertThat(parsed).isGreaterThan(100);
    }
}
