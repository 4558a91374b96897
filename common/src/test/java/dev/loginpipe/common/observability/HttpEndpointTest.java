package dev.loginpipe.common.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Service;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/** HTTP_BIND keeps /health and /metrics to the address it names (issue 32, L12). */
class HttpEndpointTest {

    @Test
    void boundToLoopbackItAnswersThereAndNowhereElse() throws IOException {
        Optional<InetAddress> other = nonLoopbackAddress();
        assumeTrue(other.isPresent(), "this host has no non-loopback IPv4 address to try");
        int port = freePort();
        try (HttpEndpoint ignored = HttpEndpoint.start(config("127.0.0.1", port), new PrometheusRegistry(), new Health())) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                assertThat(socket.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> new Socket(other.get(), port).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void anAddressThatIsNotThisHostsIsASettingError() {
        assertThatThrownBy(() -> HttpEndpoint.start(config("192.0.2.1", freePort()), new PrometheusRegistry(), new Health()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HTTP_BIND");
    }

    private static Config config(String bind, int port) {
        return Config.load(Service.CONSUMER,
                Map.of("BOOTSTRAP_SERVERS", "localhost:9092", "HTTP_BIND", bind, "HTTP_PORT", Integer.toString(port)));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(nic -> {
            try {
                return nic.isUp() && !nic.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
    }
}
