package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;

/** The console's TLS from {@code CONSOLE_KEYSTORE} (PKCS12), or none. */
final class ConsoleTls {
    private ConsoleTls() {
    }

    /** Null when no keystore is configured; a keystore that cannot be used is a {@link ConfigException}. */
    static SSLContext of(Config config) {
        String file = config.get(Settings.CONSOLE_KEYSTORE);
        if (file.isEmpty()) {
            return null;
        }
        char[] password = config.get(Settings.CONSOLE_KEYSTORE_PASSWORD).toCharArray();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            // The message of a wrong password never holds the password.
            throw new ConfigException(Settings.CONSOLE_KEYSTORE.name(), "cannot use " + file + ": " + e.getMessage());
        }
    }
}
