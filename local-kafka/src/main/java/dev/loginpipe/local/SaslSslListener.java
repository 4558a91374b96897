package dev.loginpipe.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A broker whose client listener speaks SASL_SSL with SCRAM-SHA-512, and whose authorizer enforces ACLs.
 * The broker's own traffic (inter-broker and controller) stays on plaintext loopback listeners, where the
 * unauthenticated principal {@code User:ANONYMOUS} is a super user, as the broker itself must be; tests also use
 * that internal listener to set up topics and ACLs and to read results.
 *
 * @param keyStore         PKCS12 key store with the broker's key and certificate (valid for 127.0.0.1)
 * @param keyStorePassword password of the key store and of its key
 * @param scramUsers       SCRAM-SHA-512 users created when the storage is formatted: name to password
 *                         (letters and digits only: the formatter's syntax has no escapes)
 * @param superUsers       users allowed everything, without ACLs
 */
public record SaslSslListener(Path keyStore, String keyStorePassword, Map<String, String> scramUsers,
                              List<String> superUsers) {
    static final String MECHANISM = "SCRAM-SHA-512";

    public SaslSslListener {
        scramUsers = Map.copyOf(scramUsers);
        superUsers = List.copyOf(superUsers);
    }

    /** Listener, TLS, SASL and authorizer settings of one node; they replace the plain listener layout. */
    Map<String, String> brokerSettings(int clientPort, int internalPort, int controllerPort) {
        return Map.ofEntries(
                Map.entry("listeners", "SASL_SSL://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners",
                        "SASL_SSL://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort),
                Map.entry("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "INTERNAL"),
                Map.entry("sasl.enabled.mechanisms", MECHANISM),
                // The server side of SCRAM needs a login module, though it logs nobody in.
                Map.entry("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                Map.entry("ssl.keystore.type", "PKCS12"),
                Map.entry("ssl.keystore.location", keyStore.toAbsolutePath().toString()),
                Map.entry("ssl.keystore.password", keyStorePassword),
                Map.entry("ssl.key.password", keyStorePassword),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("super.users", Stream.concat(Stream.of("ANONYMOUS"), superUsers.stream())
                        .map(user -> "User:" + user).collect(Collectors.joining(";"))));
    }

    /** Arguments of the storage formatter that create the SCRAM users (KRaft keeps them in its metadata log). */
    List<String> formatArguments() {
        List<String> arguments = new ArrayList<>();
        scramUsers.forEach((name, password) -> {
            arguments.add("--add-scram");
            arguments.add(MECHANISM + "=[name=" + name + ",password=" + password + "]");
        });
        return arguments;
    }
}
