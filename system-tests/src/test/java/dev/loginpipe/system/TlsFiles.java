package dev.loginpipe.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker's PKCS12 key store (a self-signed certificate for 127.0.0.1) and the clients' trust store holding that
 * certificate, made with the JDK's {@code keytool} as an operator would make them.
 */
record TlsFiles(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {

    static TlsFiles generate(Path dir, String keyStorePassword, String trustStorePassword) {
        TlsFiles files = new TlsFiles(dir.resolve("broker.p12"), keyStorePassword, dir.resolve("truststore.p12"),
                trustStorePassword);
        Path certificate = dir.resolve("broker.pem");
        // EC keys: generated in milliseconds, where RSA takes a noticeable moment on a small machine.
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", files.keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", keyStorePassword, "-keypass", keyStorePassword);
        keytool("-exportcert", "-alias", "broker", "-rfc", "-file", certificate.toString(),
                "-keystore", files.keyStore.toString(), "-storepass", keyStorePassword);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-keystore", files.trustStore.toString(), "-storetype", "PKCS12", "-storepass", trustStorePassword);
        return files;
    }

    private static void keytool(String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
