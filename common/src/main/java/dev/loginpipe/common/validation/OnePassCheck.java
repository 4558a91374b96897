package dev.loginpipe.common.validation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A schema's keywords compiled into one pass over Jackson's streaming parser, no tree: says "valid" only when it is
 * sure, and "ask networknt" for everything else, so a record it accepts is one the schema library accepts too, and
 * every verdict, reason and signature of a record it does not accept stays the library's. Only the draft-07 keywords
 * event schemas use are compiled (see {@link #compile}); a schema with any other keyword gets no check at all. The
 * strict reading holds here too: the same parser settings (depth, number length), one document, duplicate keys.
 * Thread-safe.
 */
final class OnePassCheck {
    /** Integers whose every comparison is exact in a double too, so that the library cannot judge a bound otherwise. */
    private static final long EXACT = 1L << 53;
    /**
     * The time its pattern matches may take, a tenth of a record's: a value whose matches take longer is left to the
     * library (with the record's whole budget), so a slow record costs at most this much more than before.
     */
    static final long BUDGET_NANOS = EventValidator.RECORD_BUDGET_NANOS / 10;
    private static final Node ANY = new Node();
    private static final Node NONE = new Node();

    static {
        ANY.additionalProperties = ANY; // made before ANY existed
        ANY.items = ANY;
        NONE.types = 0;
    }

    private static final int NULL = 1, BOOLEAN = 2, OBJECT = 4, ARRAY = 8, NUMBER = 16, INTEGER = 32, STRING = 64;
    private static final Map<String, Integer> TYPES = Map.of("null", NULL, "boolean", BOOLEAN, "object", OBJECT,
            "array", ARRAY, "number", NUMBER | INTEGER, "integer", INTEGER, "string", STRING);
    /** JSON's null among an enum's allowed values. */
    private static final Object NULL_VALUE = new Object();
    /** Keywords that assert nothing in draft-07. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$comment", "title", "description", "default",
            "examples", "definitions");

    private final Node root;
    private final JsonFactory factory;
    private final boolean timed;

    private OnePassCheck(Node root, JsonFactory factory, boolean timed) {
        this.root = root;
        this.factory = factory;
        this.timed = timed;
    }

    /**
     * The check of {@code schema}, or null when it uses a keyword (or a form of one) outside the subset: {@code type},
     * {@code properties}, {@code required}, {@code additionalProperties}, {@code min/maxProperties}, {@code enum},
     * {@code const} (scalars), {@code pattern}, {@code format: ipv4}, {@code min/maxLength}, {@code minimum},
     * {@code maximum}, {@code exclusiveMinimum/Maximum} (on integers within ±2^53), {@code items} (one schema or a list),
     * {@code additionalItems}, {@code min/maxItems}, {@code uniqueItems: false}, {@code $ref} to {@code #} or a JSON
     * pointer within the document, boolean schemas and annotations. {@code patterns} are the schema's expressions as
     * the library compiled them, by source.
     */
    static OnePassCheck compile(JsonNode schema, Map<String, ? extends TimedRegularExpressions.Timed> patterns,
                                JsonFactory factory) {
        try {
            if (hasNestedId(schema, true)) {
                return null; // a $id below the root changes what "#" means there
            }
            Compiler compiler = new Compiler(schema, patterns);
            Node root = compiler.node(schema);
            return new OnePassCheck(root, factory, compiler.timed);
        } catch (Unsupported e) {
            return null;
        }
    }

    /**
     * True only if {@code value} is well-formed UTF-8 holding exactly one JSON document that the schema accepts;
     * false for anything else, including anything this check cannot be sure of. Never throws.
     */
    boolean accepts(byte[] value) {
        if (value == null || value.length == 0 || Utf8.firstInvalid(value) >= 0) {
            return false;
        }
        TimeBudget budget = timed ? TimeBudget.start(BUDGET_NANOS) : null;
        try (JsonParser parser = factory.createParser(value)) {
            JsonToken first = parser.nextToken();
            return first != null && root.accepts(parser, first) && parser.nextToken() == null;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            return false; // malformed, beyond the limits, out of time: the library's path says which
        } finally {
            if (budget != null) {
                budget.end();
            }
        }
    }

    /** One compiled schema: every keyword of the subset, unset where the schema does not use it. */
    private static final class Node {
        int types = NULL | BOOLEAN | OBJECT | ARRAY | NUMBER | INTEGER | STRING;
        // strings
        int minLength = 0;
        int maxLength = Integer.MAX_VALUE;
        boolean ipv4;
        List<TimedRegularExpressions.Timed> patterns = List.of();
        // integers; a float is left to the library wherever a bound or enum applies
        Double minimum, maximum, exclusiveMinimum, exclusiveMaximum;
        /** Allowed scalars: String, Boolean, BigInteger, or NULL_VALUE; null when there is no enum or const. */
        Set<Object> allowed;
        // objects
        Map<String, Property> properties = Map.of();
        long required;
        Node additionalProperties = ANY;
        int minProperties = 0;
        int maxProperties = Integer.MAX_VALUE;
        // arrays
        Node items = ANY;
        Node[] tuple;
        int minItems = 0;
        int maxItems = Integer.MAX_VALUE;

        boolean accepts(JsonParser p, JsonToken token) throws IOException {
            switch (token) {
                case START_OBJECT:
                    return (types & OBJECT) != 0 && allowed == null && object(p);
                case START_ARRAY:
                    return (types & ARRAY) != 0 && allowed == null && array(p);
                case VALUE_STRING:
                    return (types & STRING) != 0 && string(p);
                case VALUE_NUMBER_INT:
                    return (types & INTEGER) != 0 && integer(p);
                case VALUE_NUMBER_FLOAT:
                    return (types & NUMBER) != 0 && p.getTextLength() <= EventValidator.MAX_NUMBER_LENGTH
                            && allowed == null && minimum == null && maximum == null && exclusiveMinimum == null
                            && exclusiveMaximum == null;
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return (types & BOOLEAN) != 0 && (allowed == null || allowed.contains(token == JsonToken.VALUE_TRUE));
                case VALUE_NULL:
                    return (types & NULL) != 0 && (allowed == null || allowed.contains(NULL_VALUE));
                default:
                    return false;
            }
        }

        private boolean string(JsonParser p) throws IOException {
            if (allowed == null && patterns.isEmpty() && !ipv4) {
                if (minLength == 0 && maxLength == Integer.MAX_VALUE) {
                    p.finishToken(); // decodes (and so checks) the string without making one
                    return true;
                }
                int length = Character.codePointCount(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                return length >= minLength && length <= maxLength;
            }
            String text = p.getText();
            int length = text.codePointCount(0, text.length());
            if (length < minLength || length > maxLength || (ipv4 && !Ipv4Format.isDottedQuad(text))
                    || (allowed != null && !allowed.contains(text))) {
                return false;
            }
            for (TimedRegularExpressions.Timed pattern : patterns) {
                if (!pattern.matches(text)) {
                    return false;
                }
            }
            return true;
        }

        private boolean integer(JsonParser p) throws IOException {
            if (p.getTextLength() > EventValidator.MAX_NUMBER_LENGTH) {
                return false;
            }
            if (allowed != null && !allowed.contains(p.getBigIntegerValue())) {
                return false;
            }
            if (minimum == null && maximum == null && exclusiveMinimum == null && exclusiveMaximum == null) {
                return true;
            }
            if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
                return false;
            }
            long n = p.getLongValue();
            double v = n;
            return n >= -EXACT && n <= EXACT
                    && (minimum == null || v >= minimum) && (maximum == null || v <= maximum)
                    && (exclusiveMinimum == null || v > exclusiveMinimum)
                    && (exclusiveMaximum == null || v < exclusiveMaximum);
        }

        private boolean object(JsonParser p) throws IOException {
            long seen = 0;
            Set<String> others = null; // names not among the properties, for duplicates
            int count = 0;
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                count++;
                Property property = properties.get(name);
                JsonToken value = p.nextToken();
                if (property != null) {
                    if ((seen & property.bit) != 0) {
                        return false;
                    }
                    seen |= property.bit;
                    if (!property.node.accepts(p, value)) {
                        return false;
                    }
                } else {
                    if (others == null) {
                        others = new HashSet<>();
                    }
                    if (!others.add(name) || !additionalProperties.accepts(p, value)) {
                        return false;
                    }
                }
            }
            return token == JsonToken.END_OBJECT && (seen & required) == required
                    && count >= minProperties && count <= maxProperties;
        }

        private boolean array(JsonParser p) throws IOException {
            int count = 0;
            JsonToken token;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    return false;
                }
                Node item = tuple == null ? items : count < tuple.length ? tuple[count] : items;
                if (!item.accepts(p, token)) {
                    return false;
                }
                count++;
            }
            return count >= minItems && count <= maxItems;
        }
    }

    /** A name of {@code properties} or {@code required}: its bit among those seen, and the schema of its value. */
    private record Property(long bit, Node node) {
    }

    /** A keyword, or a form of one, that this check leaves to the library. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static boolean hasNestedId(JsonNode node, boolean root) {
        if (node.isObject() && !root && node.has("$id")) {
            return true;
        }
        for (JsonNode child : node) {
            if (hasNestedId(child, false)) {
                return true;
            }
        }
        return false;
    }

    /** Compiles each schema object once, so that a {@code $ref} cycle through properties or items is a cycle here too. */
    private static final class Compiler {
        private final JsonNode document;
        private final Map<String, ? extends TimedRegularExpressions.Timed> expressions;
        private final Map<JsonNode, Node> compiled = new IdentityHashMap<>();
        /** The {@code $ref}s being followed: a chain of them that comes back is a loop with no value consumed. */
        private final Set<JsonNode> following = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean timed;

        Compiler(JsonNode document, Map<String, ? extends TimedRegularExpressions.Timed> expressions) {
            this.document = document;
            this.expressions = expressions;
        }

        Node node(JsonNode schema) throws Unsupported {
            if (schema.isBoolean()) {
                return schema.booleanValue() ? ANY : NONE;
            }
            if (!schema.isObject()) {
                throw new Unsupported();
            }
            Node done = compiled.get(schema);
            if (done != null) {
                return done;
            }
            if (schema.has("$ref")) {
                return reference(schema);
            }
            Node node = new Node();
            compiled.put(schema, node);
            Map<String, Property> properties = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode v = field.getValue();
                switch (field.getKey()) {
                    case "type" -> node.types = types(v);
                    case "minLength" -> node.minLength = count(v);
                    case "maxLength" -> node.maxLength = count(v);
                    case "pattern" -> {
                        TimedRegularExpressions.Timed expression = expressions.get(v.asText());
                        if (!v.isTextual() || expression == null) {
                            throw new Unsupported();
                        }
                        node.patterns = List.of(expression);
                        timed = true;
                    }
                    case "format" -> {
                        if (!"ipv4".equals(v.asText(null))) {
                            throw new Unsupported();
                        }
                        node.ipv4 = true;
                    }
                    case "minimum" -> node.minimum = bound(v);
                    case "maximum" -> node.maximum = bound(v);
                    case "exclusiveMinimum" -> node.exclusiveMinimum = bound(v);
                    case "exclusiveMaximum" -> node.exclusiveMaximum = bound(v);
                    case "enum" -> node.allowed = scalars(v, node.allowed);
                    case "const" -> node.allowed = scalars(JsonNodeFactory.instance.arrayNode().add(v), node.allowed);
                    case "required" -> {
                        if (!v.isArray()) {
                            throw new Unsupported();
                        }
                        for (JsonNode name : v) {
                            if (!name.isTextual()) {
                                throw new Unsupported();
                            }
                            properties.putIfAbsent(name.asText(), null);
                        }
                    }
                    case "properties", "additionalProperties", "items", "additionalItems" -> {
                        // compiled below, once every name is known
                    }
                    case "minProperties" -> node.minProperties = count(v);
                    case "maxProperties" -> node.maxProperties = count(v);
                    case "minItems" -> node.minItems = count(v);
                    case "maxItems" -> node.maxItems = count(v);
                    case "uniqueItems" -> {
                        if (!v.isBoolean() || v.booleanValue()) {
                            throw new Unsupported();
                        }
                    }
                    case "$id" -> {
                        if (schema != document) {
                            throw new Unsupported();
                        }
                    }
                    default -> {
                        if (!ANNOTATIONS.contains(field.getKey())) {
                            throw new Unsupported();
                        }
                    }
                }
            }
            if (schema.has("additionalProperties")) {
                node.additionalProperties = node(schema.get("additionalProperties"));
            }
            JsonNode declared = schema.get("properties");
            if (declared != null) {
                if (!declared.isObject()) {
                    throw new Unsupported();
                }
                declared.fieldNames().forEachRemaining(name -> properties.put(name, null));
            }
            if (properties.size() > 64) {
                throw new Unsupported();
            }
            List<String> requiredNames = new ArrayList<>();
            schema.path("required").forEach(name -> requiredNames.add(name.asText()));
            long bit = 1;
            Map<String, Property> byName = new HashMap<>();
            for (String name : properties.keySet()) {
                JsonNode own = declared == null ? null : declared.get(name);
                byName.put(name, new Property(bit, own != null ? node(own) : node.additionalProperties));
                if (requiredNames.contains(name)) {
                    node.required |= bit;
                }
                bit <<= 1;
            }
            node.properties = byName;
            JsonNode items = schema.get("items");
            if (items != null && items.isArray()) {
                node.tuple = new Node[items.size()];
                for (int i = 0; i < items.size(); i++) {
                    node.tuple[i] = node(items.get(i));
                }
                node.items = schema.has("additionalItems") ? node(schema.get("additionalItems")) : ANY;
            } else if (items != null) {
                node.items = node(items);
            }
            return node;
        }

        /** A {@code $ref} is the schema it names: the others of its object are ignored in draft-07, or left out here. */
        private Node reference(JsonNode schema) throws Unsupported {
            Iterator<String> names = schema.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!name.equals("$ref") && !ANNOTATIONS.contains(name)) {
                    throw new Unsupported();
                }
            }
            JsonNode target = pointer(schema.get("$ref"));
            if (!following.add(schema)) {
                throw new Unsupported();
            }
            Node node = node(target);
            following.remove(schema);
            compiled.put(schema, node);
            return node;
        }

        /** {@code #} or {@code #/a/b}: the node that JSON pointer names in this document. */
        private JsonNode pointer(JsonNode ref) throws Unsupported {
            String text = ref.asText("");
            if (!ref.isTextual() || !(text.equals("#") || text.startsWith("#/")) || text.indexOf('%') >= 0) {
                throw new Unsupported();
            }
            JsonNode at = document;
            if (text.length() > 1) {
                for (String token : text.substring(2).split("/", -1)) {
                    String key = token.replace("~1", "/").replace("~0", "~");
                    if (at.isArray()) {
                        if (!key.matches("0|[1-9][0-9]{0,8}")) {
                            throw new Unsupported();
                        }
                        at = at.get(Integer.parseInt(key));
                    } else {
                        at = at.get(key);
                    }
                    if (at == null) {
                        throw new Unsupported();
                    }
                }
            }
            return at;
        }

        private static int types(JsonNode v) throws Unsupported {
            int types = 0;
            if (v.isTextual()) {
                types = TYPES.getOrDefault(v.asText(), 0);
            } else if (v.isArray()) {
                for (JsonNode t : v) {
                    types |= TYPES.getOrDefault(t.asText(), 0);
                    if (!t.isTextual() || !TYPES.containsKey(t.asText())) {
                        throw new Unsupported();
                    }
                }
            }
            if (types == 0) {
                throw new Unsupported();
            }
            return types;
        }

        private static int count(JsonNode v) throws Unsupported {
            if (!v.isInt() || v.intValue() < 0) {
                throw new Unsupported();
            }
            return v.intValue();
        }

        /**
         * A bound as the double the library holds. An integer within ±2^53 compares with it exactly, and alike with
         * the decimal the library may make of it: no integer lies between a double and its shortest decimal form.
         */
        private static Double bound(JsonNode v) throws Unsupported {
            if (v.isIntegralNumber() && v.canConvertToLong() && Math.abs(v.longValue()) <= EXACT) {
                return (double) v.longValue();
            }
            if (v.isDouble() && Double.isFinite(v.doubleValue())) {
                return v.doubleValue();
            }
            throw new Unsupported();
        }

        /** Only the scalars of an enum can match here; any other value left to the library. */
        private static Set<Object> scalars(JsonNode values, Set<Object> before) throws Unsupported {
            if (!values.isArray() || before != null) {
                throw new Unsupported(); // enum and const together: left out
            }
            Set<Object> scalars = new HashSet<>();
            for (JsonNode v : values) {
                if (v.isTextual()) {
                    scalars.add(v.textValue());
                } else if (v.isBoolean()) {
                    scalars.add(v.booleanValue());
                } else if (v.isNull()) {
                    scalars.add(NULL_VALUE);
                } else if (v.isIntegralNumber()) {
                    scalars.add(v.bigIntegerValue());
                }
            }
            return scalars;
        }
    }
}
