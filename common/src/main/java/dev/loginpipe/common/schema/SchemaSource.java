package dev.loginpipe.common.schema;

/** Where the schema comes from: asked again every {@code SCHEMA_REFRESH_MS}, on the refresh thread only. */
public interface SchemaSource {
    /**
     * The newest usable version: {@code current} itself when nothing changed (cheaply: no compile), a new version
     * when it did.
     *
     * @throws UnusableSchema the newest candidate cannot be used, or cannot be had
     */
    SchemaVersion next(SchemaVersion current) throws UnusableSchema;
}
