package dev.loginpipe.producer;

/** One record to send: its key (the user id, or null) and value bytes. */
public record OutgoingRecord(byte[] key, byte[] value) {
}
