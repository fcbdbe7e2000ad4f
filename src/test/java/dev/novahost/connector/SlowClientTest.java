package dev.novahost.connector;

import static dev.novahost.connector.RawHttp.closedByServer;
import static dev.novahost.connector.RawHttp.connect;
import static dev.novahost.connector.RawHttp.exchange;
import static dev.novahost.connector.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Slow clients against a real server, over raw sockets: a request head has a deadline however its bytes
 * trickle in, one address holds a bounded number of connections while another is still served, and a
 * closed connection gives its slot back. Each test comes from its own loopback address, so that no test
 * sees another's connections.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "nova.header-timeout=" + SlowClientTest.HEADER_TIMEOUT_MS + "ms",
        "nova.max-connections-per-client=" + SlowClientTest.CAP,
        "nova.max-subscribers=64"})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientTest {

    static final int HEADER_TIMEOUT_MS = 1500;
    static final int CAP = 4;
    private static final String HOST = "GET /api/v1/host HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final String STREAM = "GET /api/v1/events/stream HTTP/1.1\r\nHost: localhost\r\n\r\n";
    /** The head deadline, plus the poller's one-second timeout pass, plus slack for a loaded machine. */
    private static final Duration CLOSED_WITHIN = Duration.ofMillis(HEADER_TIMEOUT_MS + 3_000);

    @LocalServerPort
    int port;

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void closeEverything() throws IOException {
        trickle.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Test
    void aHeadTrickledAByteAtATimeIsClosedAtTheDeadline() throws Exception {
        Socket slow = open("127.0.0.11");
        long start = System.nanoTime();
        send(slow, "GET /api/v1/host HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
        // one byte every 200 ms: each read would restart Tomcat's connectionTimeout
        trickleInto(slow, "a");

        await().atMost(CLOSED_WITHIN).until(() -> closedByServer(slow));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(HEADER_TIMEOUT_MS - 300));
    }

    @Test
    void emptyLinesBeforeTheRequestLineDoNotHoldTheConnection() throws Exception {
        Socket slow = open("127.0.0.12");
        // Tomcat skips CR LF before a request line without limit
        trickleInto(slow, "\r\n");

        await().atMost(CLOSED_WITHIN).until(() -> closedByServer(slow));
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws Exception {
        Socket idle = open("127.0.0.13");

        await().atMost(CLOSED_WITHIN).until(() -> closedByServer(idle));
    }

    @Test
    void aKeptAliveConnectionServesRequestsAndThenHasTheDeadlineForTheNextHead() throws Exception {
        Socket client = open("127.0.0.14");
        assertThat(exchange(client, HOST).status()).isEqualTo(200);
        assertThat(exchange(client, HOST).status()).isEqualTo(200);
        send(client, "GET /api/v1/host HTTP/1.1\r\n");

        await().atMost(CLOSED_WITHIN).until(() -> closedByServer(client));
    }

    @Test
    void aSlowBodyIsNotHeldToTheHeadDeadline() throws Exception {
        Socket client = open("127.0.0.15");
        String body = "{\"chipset\":\"NOPE\"}";
        send(client, "POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n");
        // the body takes longer than the head may: 18 bytes, one every 150 ms
        var next = new int[1];
        trickle.scheduleAtFixedRate(() -> {
            if (next[0] < body.length()) {
                writeQuietly(client, body.substring(next[0], ++next[0]));
            }
        }, 150, 150, TimeUnit.MILLISECONDS);

        var answer = RawHttp.read(client);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"errno\":\"EINVAL\"");
    }

    @Test
    void aClientPastItsCapIsClosedWhileAnotherAddressIsServed() throws Exception {
        for (int i = 0; i < CAP; i++) {
            Socket stream = open("127.0.0.21");
            send(stream, STREAM);
            assertThat(RawHttp.readHead(stream)).isEqualTo(200);
        }
        Socket oneTooMany = open("127.0.0.21");

        await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(oneTooMany));
        assertThat(exchange(open("127.0.0.22"), HOST).status()).isEqualTo(200);
    }

    @Test
    void theSlotsOfConnectionsClosedAtTheDeadlineComeBack() throws Exception {
        var slow = new ArrayList<Socket>();
        for (int i = 0; i < CAP; i++) {
            Socket socket = open("127.0.0.31");
            send(socket, "GET /api/v1/host HTTP/1.1\r\n");
            slow.add(socket);
        }
        Socket oneTooMany = open("127.0.0.31");
        await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(oneTooMany));

        for (Socket socket : slow) {
            await().atMost(CLOSED_WITHIN).until(() -> closedByServer(socket));
        }

        // the server has released them all once the last one is closed, but its close may end a moment after
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(
                () -> assertThat(exchange(open("127.0.0.31"), HOST).status()).isEqualTo(200));
    }

    @Test
    void theSlotsOfConnectionsTheClientClosesComeBack() throws Exception {
        var held = new ArrayList<Socket>();
        for (int i = 0; i < CAP; i++) {
            // inside a body, so only Tomcat's 20 s connection timeout could close them, not the head deadline
            Socket socket = open("127.0.0.32");
            send(socket, "POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{");
            held.add(socket);
        }
        Socket oneTooMany = open("127.0.0.32");
        await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(oneTooMany));

        for (Socket socket : held) {
            socket.close();
        }

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(
                () -> assertThat(exchange(open("127.0.0.32"), HOST).status()).isEqualTo(200));
    }

    private Socket open(String from) throws IOException {
        Socket socket = connect(from, port);
        sockets.add(socket);
        return socket;
    }

    private void trickleInto(Socket socket, String bytes) {
        trickle.scheduleAtFixedRate(() -> writeQuietly(socket, bytes), 200, 200, TimeUnit.MILLISECONDS);
    }

    private static void writeQuietly(Socket socket, String bytes) {
        try {
            send(socket, bytes);
        } catch (IOException closed) {
            // the server closed it: what the test waits for
        }
    }
}
