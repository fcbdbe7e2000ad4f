package dev.novahost.observability;

import java.net.URI;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests that watch the service from outside, as Prometheus and Docker do: the whole
 * application on a real port, with its metrics exported, and a clean host before each test. The
 * subclasses share this one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
abstract class LiveHostTest {

    static final String GA102 = "0000:01:00.0";

    @LocalServerPort
    int port;

    HostClient host;

    @BeforeEach
    void cleanHost() throws Exception {
        host = new HostClient(URI.create("http://127.0.0.1:" + port));
        host.post("/api/v1/host/reset", "").expect(200);
    }

    /** A GA102 bound to nova-core: every nova_ series then exists, device info and bindings included. */
    void boundGa102() throws Exception {
        host.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
        host.post("/api/v1/modules/nova-core/load", "").expect(200);
        host.get("/api/v1/devices/" + GA102 + "/mmio/0x0").expect(200);
    }

    String scrape() throws Exception {
        return host.get("/actuator/prometheus").expect(200).body();
    }
}
