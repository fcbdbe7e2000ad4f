package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The README's "lifecycle bugs in 2 minutes" story watched by a real Prometheus: it scrapes the
 * service every second with docker/prometheus/alerts.yml loaded, sees the timer that ran after
 * remove() as a labelled counter, and fires the alerts for it.
 */
class RealPrometheusTest extends LiveHostTest {

    private static final Path ALERT_RULES = Path.of("docker/prometheus/alerts.yml").toAbsolutePath();
    private static final Duration SCRAPE_AND_EVALUATE = Duration.ofSeconds(20);

    @TempDir
    Path folder;

    @Test
    void aTimerThatRunsAfterRemoveReachesPrometheusAsAnOccurredViolationAndFiresItsAlerts() throws Exception {
        try (var prometheus = PrometheusServer.start(folder, config())) {
            // Scraped once before the bug, so the counter's rise is seen (increase() needs two samples).
            await("first scrape of the service").atMost(SCRAPE_AND_EVALUATE)
                    .until(() -> valueOf(prometheus.query("up{job=\"nova-host\"}")) == 1.0);

            host.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
            host.post("/api/v1/modules/nova-core/load", "").expect(200);
            host.makeTimerAfterRemove(GA102);

            var query = "nova_lifecycle_violations_total{kind=\"timer_after_remove\",outcome=\"occurred\",policy=\"fenced\"}";
            await("Prometheus has " + query + " >= 1").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
                var series = prometheus.query(query);
                assertThat(series).hasSize(1);
                var labels = series.get(0).path("metric");
                assertThat(labels.path("__name__").asString()).isEqualTo("nova_lifecycle_violations_total");
                assertThat(labels.path("kind").asString()).isEqualTo("timer_after_remove");
                assertThat(labels.path("outcome").asString()).isEqualTo("occurred");
                assertThat(labels.path("policy").asString()).isEqualTo("fenced");
                assertThat(labels.path("job").asString()).isEqualTo("nova-host");
                assertThat(valueOf(series)).isGreaterThanOrEqualTo(1.0);
            });
            assertThat(valueOf(prometheus.query(
                    "nova_lifecycle_violations_total{kind=\"timer_free_active\",outcome=\"occurred\",policy=\"fenced\"}")))
                    .isGreaterThanOrEqualTo(1.0);

            await("NovaLifecycleViolation and NovaHostTainted firing").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
                assertThat(prometheus.query("ALERTS{alertname=\"NovaLifecycleViolation\",alertstate=\"firing\"}"))
                        .extracting(alert -> alert.path("metric").path("kind").asString())
                        .contains("timer_free_active", "timer_after_remove");
                assertThat(prometheus.query("ALERTS{alertname=\"NovaHostTainted\",alertstate=\"firing\"}"))
                        .extracting(alert -> alert.path("metric").path("kind").asString())
                        .containsExactly("timer_after_remove");
            });
        }
    }

    private String config() {
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: nova-host
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(ALERT_RULES, port);
    }

    /** The value of a one-series result vector; NaN when the vector is empty. */
    private static double valueOf(JsonNode vector) {
        return vector.isEmpty() ? Double.NaN : Double.parseDouble(vector.get(0).path("value").get(1).asString());
    }
}
