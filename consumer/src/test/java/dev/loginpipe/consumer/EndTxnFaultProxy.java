package dev.loginpipe.consumer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;

/**
 * A TCP proxy in front of one broker that speaks just enough of Kafka's wire protocol to do what a real network and
 * coordinator sometimes do: answer an EndTxn the coordinator completed with an error the client's handler does not
 * map. The broker advertises the proxy's port, so every client connection (and the broker's own marker requests)
 * passes through it. Frames are a 4-byte size and a body; a request header starts with the API key, its version and
 * the correlation id, a response header with the correlation id.
 */
final class EndTxnFaultProxy implements AutoCloseable {
    private static final short END_TXN = 26;
    /** EndTxn requests and responses use flexible headers (a tagged-fields byte) from version 3 on. */
    private static final short END_TXN_FIRST_FLEXIBLE = 3;
    private static final short UNKNOWN_SERVER_ERROR = -1;
    private static EndTxnFaultProxy shared;

    private final ServerSocket server;
    private final int brokerPort;
    /** The broker behind it, when this proxy started one. */
    private KafkaCluster broker;
    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger rewritten = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** Listens on {@code port} and forwards to the broker on {@code brokerPort}. */
    EndTxnFaultProxy(int port, int brokerPort) {
        try {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.brokerPort = brokerPort;
        Thread accept = new Thread(this::accept, "endtxn-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /**
     * One broker behind a proxy per test JVM, as {@code TestKafka.shared()}: tests use topics, groups and transactional
     * ids of their own, and count {@link #rewritten()} from where it stood. Its coordinator looks for timed-out
     * transactions every 200 ms instead of every 10 s.
     */
    static synchronized EndTxnFaultProxy shared() {
        if (shared == null) {
            shared = withBroker(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200"));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /**
     * A fresh single-node broker that advertises this proxy's port, so that every client reaches it through the proxy.
     * {@code brokerSettings} are added to the broker's configuration.
     */
    private static EndTxnFaultProxy withBroker(Map<String, String> brokerSettings) {
        int proxyPort = TestKafka.freePort();
        int brokerPort = TestKafka.freePort();
        EndTxnFaultProxy proxy = new EndTxnFaultProxy(proxyPort, brokerPort);
        Map<String, String> settings = new HashMap<>(brokerSettings);
        settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxyPort);
        try {
            proxy.broker = KafkaCluster.create(1, Files.createTempDirectory("loginpipe-endtxn-"), List.of(brokerPort),
                    List.of(), settings).start(Duration.ofSeconds(120));
        } catch (IOException e) {
            proxy.close();
            throw new UncheckedIOException(e);
        }
        return proxy;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + server.getLocalPort();
    }


    /** The next {@code count} successful EndTxn answers (the coordinator did commit or abort) carry UNKNOWN_SERVER_ERROR. */
    void failNextEndTxn(int count) {
        armed.addAndGet(count);
    }

    /** EndTxn answers rewritten so far. */
    int rewritten() {
        return rewritten.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                sockets.add(client);
                sockets.add(broker);
                Map<Integer, Short> endTxnVersions = new ConcurrentHashMap<>();
                pump("endtxn-proxy-up", client, broker, frame -> noteRequest(frame, endTxnVersions));
                pump("endtxn-proxy-down", broker, client, frame -> maybeRewrite(frame, endTxnVersions));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void noteRequest(byte[] frame, Map<Integer, Short> endTxnVersions) {
        ByteBuffer header = ByteBuffer.wrap(frame);
        short apiKey = header.getShort(0);
        if (apiKey == END_TXN) {
            endTxnVersions.put(header.getInt(4), header.getShort(2));
        }
    }

    private void maybeRewrite(byte[] frame, Map<Integer, Short> endTxnVersions) {
        ByteBuffer body = ByteBuffer.wrap(frame);
        Short version = endTxnVersions.remove(body.getInt(0));
        if (version == null) {
            return;
        }
        // correlation id, the header's tagged fields (none: one byte) when flexible, throttle time, then the error code
        int errorAt = 4 + (version >= END_TXN_FIRST_FLEXIBLE ? 1 : 0) + 4;
        if (body.getShort(errorAt) == 0 && armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            body.putShort(errorAt, UNKNOWN_SERVER_ERROR);
            rewritten.incrementAndGet();
        }
    }

    private interface FrameHook {
        void onFrame(byte[] frame);
    }

    private void pump(String name, Socket from, Socket to, FrameHook hook) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        Thread thread = new Thread(() -> {
            try (DataInputStream frames = new DataInputStream(in); DataOutputStream forward = new DataOutputStream(out)) {
                while (true) {
                    int size = frames.readInt();
                    byte[] frame = new byte[size];
                    frames.readFully(frame);
                    hook.onFrame(frame);
                    forward.writeInt(size);
                    forward.write(frame);
                    forward.flush();
                }
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
        closeQuietly(server);
        sockets.forEach(EndTxnFaultProxy::closeQuietly);
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
