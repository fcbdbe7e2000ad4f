package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.connector.RawHttp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A browser as the weapon, against the default loopback mode with no token (issue 13, item 3): a page on
 * another site posts a form to the service (cross-site request forgery), or makes its own name resolve to
 * 127.0.0.1 (DNS rebinding) so that its scripts reach the service as same-origin. Both are refused with a
 * 403 {@code EPERM} problem, and nothing changes; the service's own pages and clients that are not
 * browsers (no {@code Origin}) go on working.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BrowserAttackTest {

    @LocalServerPort
    int port;

    @BeforeEach
    void freshHost() throws Exception {
        assertThat(RawHttp.send(port, "POST", "/api/v1/host/reset", Map.of(), null).status()).isEqualTo(200);
    }

    @Test
    void aFormPostedFromAnotherSiteChangesNothing() throws Exception {
        for (String origin : List.of("http://attacker.example", "null", "http://127.0.0.1:" + (port + 1),
                "https://127.0.0.1:" + port, "http://localhost.attacker.example:" + port, "not a url")) {
            var load = RawHttp.send(port, "POST", "/api/v1/modules/nova-core/load",
                    Map.of("Origin", origin, "Content-Type", "application/x-www-form-urlencoded"), new byte[0]);
            assertThat(load.status()).as("load from %s: %s", origin, load.body()).isEqualTo(403);
            assertThat(load.header("Content-Type")).startsWith("application/problem+json");
            assertThat(load.body()).contains("\"errno\":\"EPERM\"");
            assertThat(RawHttp.send(port, "POST", "/api/v1/host/reset", Map.of("Origin", origin), null).status())
                    .as("reset from %s", origin).isEqualTo(403);
        }
        assertThat(RawHttp.send(port, "GET", "/api/v1/modules/nova-core", Map.of(), null).body())
                .contains("\"state\":\"unloaded\"");
    }

    @Test
    void theServicesOwnPagesAndClientsWithoutAnOriginStillChangeState() throws Exception {
        var own = RawHttp.send(port, "POST", "/api/v1/modules/nova-core/load",
                Map.of("Origin", "http://127.0.0.1:" + port), null);
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        var curl = RawHttp.send(port, "POST", "/api/v1/modules/nova-core/unload", Map.of(), null);
        assertThat(curl.status()).as(curl.body()).isEqualTo(200);
        var localhost = RawHttp.send(port, "POST", "/api/v1/modules/nova-core/load",
                Map.of("Host", "localhost:" + port, "Origin", "http://localhost:" + port), null);
        assertThat(localhost.status()).as(localhost.body()).isEqualTo(200);
        // a read from another origin is the browser's to withhold (no CORS headers), not a change
        assertThat(RawHttp.send(port, "GET", "/api/v1/devices", Map.of("Origin", "http://attacker.example"), null)
                .status()).isEqualTo(200);
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedWhateverItAsks() throws Exception {
        for (String host : List.of("attacker.example", "attacker.example:" + port, "127.0.0.1.attacker.example",
                "localhost.", "127.0.0.1.", "128.0.0.1", "0.0.0.0", "[::2]:" + port)) {
            for (String[] request : new String[][] {{"POST", "/api/v1/modules/nova-core/load"},
                    {"POST", "/api/v1/host/reset"}, {"GET", "/api/v1/devices"}, {"GET", "/"}}) {
                var answer = RawHttp.send(port, request[0], request[1], Map.of("Host", host), null);
                assertThat(answer.status()).as("%s %s with Host %s: %s", request[0], request[1], host, answer.body())
                        .isEqualTo(403);
                assertThat(answer.body()).contains("\"errno\":\"EPERM\"");
            }
        }
        assertThat(RawHttp.send(port, "GET", "/api/v1/modules/nova-core", Map.of(), null).body())
                .contains("\"state\":\"unloaded\"");
        for (String host : List.of("localhost", "LOCALHOST:" + port, "127.0.0.1", "127.1.2.3:" + port, "[::1]:" + port)) {
            var answer = RawHttp.send(port, "GET", "/api/v1/host", Map.of("Host", host), null);
            assertThat(answer.status()).as("GET /api/v1/host with Host %s: %s", host, answer.body()).isEqualTo(200);
        }
    }
}
