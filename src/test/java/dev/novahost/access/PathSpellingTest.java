package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.connector.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authorization and limits decide on the path that is routed, however it is spelt (issue 13, item 1).
 * Every operation of openapi.yaml (and the metrics), with its contract's example body, is sent to a real
 * server over a raw socket in a dozen spellings of its path ({@code /api;/v1}, {@code /api;x=1/v1},
 * {@code /%61pi}, {@code //}, {@code /./}, {@code /x/../}, a trailing {@code ;}, upper case, an encoded
 * {@code /}, {@code ;} or {@code .}): without a token and with the viewer's. No state change gets past
 * without the operator's token (the answer is 400, 401, 403, 404 or 405, and the host reads the same
 * after), no read gets past without a token, and a 3 MB body is refused in every spelling even with the
 * operator's token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"nova.viewer-token=look-only", "nova.operator-token=hands-on"})
@AutoConfigureMetrics   // /actuator/prometheus exists, as in production
class PathSpellingTest {

    private static final String GPU = "0000:01:00.0";
    private static final Set<Integer> REFUSED = Set.of(400, 401, 403, 404, 405);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Ways to write the same path, each from the canonical one. */
    private static final Map<String, UnaryOperator<String>> SPELLINGS = spellings();

    @LocalServerPort
    int port;

    private final Map<String, String> known = new LinkedHashMap<>();

    record Operation(String method, String path, byte[] body) {
        boolean changesState() {
            return !method.equals("GET") && !path.equals("/api/v1/scenarios/run") && !path.equals("/api/v1/scenarios/sweep")
                    && !path.equals("/api/v1/scenarios/explore");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeEach
    void hostWithOneOfEach() throws Exception {
        operator("POST", "/api/v1/host/reset", null);
        operator("POST", "/api/v1/modules/nova-core/load", null);
        operator("POST", "/api/v1/devices", "{\"chipset\":\"GA102\"}");
        known.put("address", GPU);
        known.put("offset", "0x1400");
        known.put("name", "nova-core");
        known.put("timers/{id}", id(operator("POST", "/api/v1/devices/" + GPU + "/timers",
                "{\"mode\":\"oneshot\",\"delayNs\":3600000000000}"), "id"));
        known.put("work/{id}", id(operator("POST", "/api/v1/devices/" + GPU + "/work", "{\"delayNs\":3600000000000}"), "id"));
        known.put("fd", id(operator("POST", "/api/v1/devices/" + GPU + "/files", null), "fd"));
        known.put("violations/{id}", "1");
        known.put("tasks/{id}", "1");
        known.put("chip", "ga102");
        known.put("file", "booter_load-535.113.01.bin");
    }

    @Test
    void noSpellingOfAPathGetsPastWithoutItsRole() throws Exception {
        var operations = operations();
        assertThat(operations).hasSizeGreaterThan(40).anyMatch(Operation::changesState);
        int sent = 0;
        for (var operation : operations) {
            var before = operation.changesState() ? snapshot() : null;
            for (var spelling : SPELLINGS.entrySet()) {
                String target = spelling.getValue().apply(operation.path());
                for (String token : new String[] {null, "look-only"}) {
                    var answer = RawHttp.send(port, operation.method(), target, auth(token), operation.body());
                    sent++;
                    String said = "%s spelt %s (%s) %s: %d %s".formatted(operation, spelling.getKey(), target,
                            token == null ? "without a token" : "with the viewer token", answer.status(), answer.body());
                    if (token == null || operation.changesState()) {
                        assertThat(answer.status()).as(said).isIn(REFUSED);
                    }
                    if (spelling.getKey().equals("canonical") && (token == null || operation.changesState())) {
                        assertThat(answer.status()).as(said).isEqualTo(token == null ? 401 : 403);
                    } else if (spelling.getKey().equals("canonical")) {
                        assertThat(answer.status()).as(said).isNotIn(401, 403);
                    }
                }
            }
            if (before != null) {
                assertThat(snapshot()).as("the host after every spelling of %s without the operator's token", operation)
                        .isEqualTo(before);
            }
        }
        System.out.printf("PathSpellingTest: %d requests, %d operations x %d spellings x 2 tokens%n", sent,
                operations.size(), SPELLINGS.size());
    }

    @Test
    void aBodyOverTheLimitIsRefusedInEverySpellingEvenForTheOperator() throws Exception {
        byte[] large = new byte[3 * 1024 * 1024];
        Arrays.fill(large, (byte) ' ');
        large[0] = '{';
        large[large.length - 1] = '}';
        var before = snapshot();
        for (var spelling : SPELLINGS.entrySet()) {
            for (var target : List.of("/api/v1/devices", "/api/v1/scenarios/run")) {
                String spelt = spelling.getValue().apply(target);
                var answer = RawHttp.send(port, "POST", spelt, auth("hands-on"), large);
                String said = "3 MB to %s (%s): %d %s".formatted(spelt, spelling.getKey(), answer.status(), answer.body());
                assertThat(answer.status()).as(said).isIn(400, 404, 405, 413);
                if (spelling.getKey().equals("canonical") || spelling.getKey().startsWith("%61")) {
                    assertThat(answer.status()).as(said).isEqualTo(413);
                    assertThat(answer.body()).as(said).contains("\"errno\":\"E2BIG\"");
                }
            }
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aRejectedSpellingIsAProblemWithAnErrno() throws Exception {
        var answer = RawHttp.send(port, "POST", "/api;/v1/host/reset", Map.of(), null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.body()).contains("\"errno\":\"EINVAL\"", "\"status\":400");
        assertThat(RawHttp.send(port, "GET", "/actuator;/prometheus", Map.of(), null).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, "GET", "/%61ctuator/prometheus", Map.of(), null).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "GET", "/%61ctuator/prometheus", Map.of("Authorization", "Bearer look-only"), null)
                .status()).isEqualTo(200);
    }

    /** With tokens the token is the credential: the compose stack's Prometheus scrapes as nova-host:8080. */
    @Test
    void withTokensAnyHostNameServesThoseWhoHaveOne() throws Exception {
        var scrape = RawHttp.send(port, "GET", "/actuator/prometheus",
                Map.of("Host", "nova-host:8080", "Authorization", "Bearer look-only"), null);
        assertThat(scrape.status()).as(scrape.body()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", Map.of("Host", "nova-host:8080"), null).status())
                .isEqualTo(401);
    }

    private static Map<String, UnaryOperator<String>> spellings() {
        var spellings = new LinkedHashMap<String, UnaryOperator<String>>();
        spellings.put("canonical", path -> path);
        spellings.put(";", path -> afterFirstSegment(path, ";"));
        spellings.put(";x=1", path -> afterFirstSegment(path, ";x=1"));
        spellings.put("%61 (a letter encoded)", path -> "/%" + Integer.toHexString(path.charAt(1)) + path.substring(2));
        spellings.put("%61 in the last segment", PathSpellingTest::lastSegmentEncoded);
        spellings.put("//", path -> afterFirstSegment(path, "/"));
        spellings.put("leading //", path -> "/" + path);
        spellings.put("/./", path -> afterFirstSegment(path, "/."));
        spellings.put("/x/../", path -> afterFirstSegment(path, "/x/.."));
        spellings.put("trailing ;", path -> path + ";");
        spellings.put("upper case", path -> path.toUpperCase(Locale.ROOT));
        spellings.put("first segment upper case", path -> "/" + path.substring(1, path.indexOf('/', 1)).toUpperCase(Locale.ROOT)
                + path.substring(path.indexOf('/', 1)));
        spellings.put("%2F", path -> path.replaceFirst("/v1/", "%2Fv1/"));
        spellings.put("%3B", path -> afterFirstSegment(path, "%3B"));
        spellings.put("%2e", path -> afterFirstSegment(path, "/%2e"));
        return spellings;
    }

    private static String afterFirstSegment(String path, String insert) {
        int end = path.indexOf('/', 1);
        return path.substring(0, end) + insert + path.substring(end);
    }

    private static String lastSegmentEncoded(String path) {
        int start = path.lastIndexOf('/') + 1;
        return path.substring(0, start) + "%" + Integer.toHexString(path.charAt(start)) + path.substring(start + 1);
    }

    /** The contract's operations with their path variables filled in and its example bodies, and the metrics. */
    @SuppressWarnings("unchecked")
    private List<Operation> operations() throws Exception {
        Map<String, Object> spec = new Yaml().load(Files.readString(Path.of("openapi.yaml")));
        var operations = new ArrayList<Operation>();
        ((Map<String, Map<String, Object>>) spec.get("paths")).forEach((template, methods) -> {
            String path = template;
            for (var variable : known.entrySet()) {
                path = variable.getKey().contains("/") ? path.replace(variable.getKey(),
                        variable.getKey().replace("{id}", variable.getValue())) : path.replace("{" + variable.getKey() + "}", variable.getValue());
            }
            assertThat(path).as("every path variable has a sample").doesNotContain("{");
            for (var entry : methods.entrySet()) {
                if (Set.of("get", "put", "post", "delete", "patch").contains(entry.getKey())) {
                    operations.add(new Operation(entry.getKey().toUpperCase(Locale.ROOT), path,
                            example((Map<String, Object>) entry.getValue())));
                }
            }
        });
        operations.add(new Operation("GET", "/actuator/prometheus", null));
        operations.add(new Operation("GET", "/actuator/info", null));
        return operations;
    }

    @SuppressWarnings("unchecked")
    private static byte[] example(Map<String, Object> operation) {
        var body = (Map<String, Object>) operation.get("requestBody");
        if (body == null) {
            return null;
        }
        var json = ((Map<String, Map<String, Object>>) body.get("content")).get("application/json");
        if (json == null) {
            return "not an image".getBytes(StandardCharsets.UTF_8); // a binary body (a firmware image): refused all the same
        }
        Object example = json.get("example");
        if (example == null && json.get("examples") instanceof Map<?, ?> examples && !examples.isEmpty()) {
            example = ((Map<String, Object>) examples.values().iterator().next()).get("value");
        }
        return JSON.writeValueAsString(example == null ? Map.of() : example).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> auth(String token) {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }

    /** What a refused request must leave as it was, read with the operator's token. */
    private Map<String, String> snapshot() throws Exception {
        var state = new LinkedHashMap<String, String>();
        for (String path : List.of("/api/v1/devices", "/api/v1/modules", "/api/v1/drivers", "/api/v1/drivers/nova-core/policy",
                "/api/v1/drivers/nova-core/faults", "/api/v1/firmware", "/api/v1/files", "/api/v1/timers", "/api/v1/work",
                "/api/v1/devices/" + GPU + "/mmio/0x1400")) {
            var answer = RawHttp.send(port, "GET", path, auth("hands-on"), null);
            state.put(path, answer.status() + " " + answer.body());
        }
        return state;
    }

    private RawHttp.Answer operator(String method, String path, String body) throws Exception {
        var answer = RawHttp.send(port, method, path, auth("hands-on"),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as("%s %s: %s", method, path, answer.body()).isLessThan(300);
        return answer;
    }

    private static String id(RawHttp.Answer answer, String field) {
        return JSON.readTree(answer.body()).path(field).asString();
    }
}
