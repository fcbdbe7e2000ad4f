package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.yaml.snakeyaml.Yaml;

/**
 * Every route that changes state, as openapi.yaml lists them, refuses a missing token (401) and a
 * viewer token (403) and takes the operator's; every read takes the viewer's.
 */
@SpringBootTest(properties = {"nova.viewer-token=look-only", "nova.operator-token=hands-on",
        "nova.requests-per-second=0"})
@AutoConfigureMockMvc
class TokenAccessTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    @Autowired
    MockMvc mvc;

    record Route(HttpMethod method, String path) {
        boolean changesState() {
            return method != HttpMethod.GET && !path.equals("/api/v1/scenarios/run") && !path.equals("/api/v1/scenarios/sweep")
                    && !path.equals("/api/v1/scenarios/explore");
        }
    }

    @Test
    void everyMutatingRouteIsProtectedAndEveryReadIsOpenToViewers() throws Exception {
        var routes = routes();
        assertThat(routes).anyMatch(Route::changesState).anyMatch(r -> !r.changesState());
        for (Route route : routes) {
            assertThat(status(route, null)).as("%s without a token", route).isEqualTo(401);
            assertThat(status(route, "wrong-token")).as("%s with an unknown token", route).isEqualTo(401);
            if (route.changesState()) {
                assertThat(status(route, "look-only")).as("%s with the viewer token", route).isEqualTo(403);
                assertThat(status(route, "hands-on")).as("%s with the operator token", route).isNotIn(401, 403);
            } else {
                assertThat(status(route, "look-only")).as("%s with the viewer token", route).isNotIn(401, 403);
            }
        }
    }

    @Test
    void problemsNameTheErrnoAndHealthStaysOpen() throws Exception {
        var refused = mvc.perform(get("/api/v1/devices")).andReturn().getResponse();
        assertThat(refused.getContentType()).startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        assertThat(refused.getContentAsString()).contains("\"errno\":\"EACCES\"").doesNotContain("look-only");
        assertThat(refused.getHeader("WWW-Authenticate")).startsWith("Bearer");
        var forbidden = mvc.perform(request(HttpMethod.POST, "/api/v1/host/reset")
                .header("Authorization", "Bearer look-only")).andReturn().getResponse();
        assertThat(forbidden.getContentAsString()).contains("\"errno\":\"EPERM\"");
        assertThat(mvc.perform(get("/actuator/health/liveness")).andReturn().getResponse().getStatus()).isEqualTo(200);
        assertThat(mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getStatus()).isEqualTo(401);
        assertThat(mvc.perform(get("/api/v1/events/stream").param("access_token", "look-only")
                .accept(MediaType.TEXT_EVENT_STREAM)).andReturn().getResponse().getStatus()).isEqualTo(200);
    }

    private int status(Route route, String token) throws Exception {
        var request = request(route.method(), route.path());
        if (route.method() != HttpMethod.GET) {
            request.contentType(MediaType.APPLICATION_JSON).content("{}");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (route.path().endsWith("/stream")) {
            request.accept(MediaType.TEXT_EVENT_STREAM);
        }
        return mvc.perform(request).andReturn().getResponse().getStatus();
    }

    @SuppressWarnings("unchecked")
    private static List<Route> routes() throws Exception {
        Map<String, Object> spec = new Yaml().load(Files.readString(Path.of("openapi.yaml")));
        var routes = new ArrayList<Route>();
        ((Map<String, Map<String, Object>>) spec.get("paths")).forEach((path, operations) -> {
            String concrete = path.replace("{address}", "0000:01:00.0").replace("{offset}", "0x0")
                    .replace("{id}", "1").replace("{fd}", "3").replace("{name}", "nova-core")
                    .replace("{chip}", "ga102").replace("{file}", "booter_load-535.113.01.bin");
            operations.keySet().stream().filter(METHODS::contains)
                    .forEach(m -> routes.add(new Route(HttpMethod.valueOf(m.toUpperCase()), concrete)));
        });
        return routes;
    }
}
