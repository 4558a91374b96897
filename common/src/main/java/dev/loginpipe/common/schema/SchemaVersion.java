package dev.loginpipe.common.schema;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.EventValidator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * One version of the event schema, immutable: what judges every record of a transaction, with the headers that say
 * so built once per version (they are added to every record; the producer only reads them, so they are shared).
 *
 * @param version     the {@code schema.version} header: a file's fingerprint or the registry's version number
 * @param id          the registry's schema id, or null for a file
 * @param fingerprint of the schema's canonical JSON (a registry that lost its storage may reuse an id and version)
 * @param validator   the compiled schema
 */
public record SchemaVersion(String version, String id, String fingerprint, EventValidator validator,
                            List<Header> headers) {

    public static SchemaVersion ofFile(String fingerprint, EventValidator validator) {
        return new SchemaVersion(fingerprint, null, fingerprint, validator, headers(fingerprint, null));
    }

    public static SchemaVersion ofRegistry(long id, int version, String fingerprint, EventValidator validator) {
        return new SchemaVersion(Integer.toString(version), Long.toString(id), fingerprint, validator,
                headers(Integer.toString(version), Long.toString(id)));
    }

    /** For logs, {@code /health} and metrics: {@code fingerprint 0a1b2c3d4e5f} or {@code registry id 7, version 3}. */
    public String label() {
        return id == null ? "fingerprint " + version : "registry id " + id + ", version " + version;
    }

    /** Whether a candidate is this very version: same schema, same registry id and version (none for a file). */
    boolean sameAs(String otherFingerprint, String otherVersion, String otherId) {
        return fingerprint.equals(otherFingerprint) && version.equals(otherVersion) && Objects.equals(id, otherId);
    }

    private static List<Header> headers(String version, String id) {
        List<Header> headers = new ArrayList<>(2);
        headers.add(new RecordHeader(DlqHeaders.SCHEMA_VERSION, version.getBytes(UTF_8)));
        if (id != null) {
            headers.add(new RecordHeader(DlqHeaders.SCHEMA_ID, id.getBytes(UTF_8)));
        }
        return List.copyOf(headers);
    }
}
