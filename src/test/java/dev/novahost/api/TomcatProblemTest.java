package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.connector.RawHttp;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What Tomcat refuses itself, before Spring sees the request, is a problem with an errno like every
 * other error: sent byte for byte over a socket, since no HTTP client would send these.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TomcatProblemTest {

    private static final String BIG = "a".repeat(20_000);

    @LocalServerPort
    int port;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a bad percent-encoding in the URL   | GET /api/v1/%ZZ HTTP/1.1                 | Host: localhost         | 400 | EINVAL
            an invalid character in the path    | GET /api/v1/ho{st HTTP/1.1               | Host: localhost         | 400 | EINVAL
            an invalid character in the method  | GE(T /api/v1/host HTTP/1.1               | Host: localhost         | 400 | EINVAL
            a path that climbs above the root   | GET /api/../../etc/passwd HTTP/1.1       | Host: localhost         | 400 | EINVAL
            an invalid Host header              | GET /api/v1/host HTTP/1.1                | Host: bad host!         | 400 | EINVAL
            two Host headers                    | GET /api/v1/host HTTP/1.1                | Host: a\\r\\nHost: b      | 400 | EINVAL
            no Host header                      | GET /api/v1/host HTTP/1.1                | X-None: x               | 400 | EINVAL
            a header name with a space          | GET /api/v1/host HTTP/1.1                | Host: localhost\\r\\nBad Header: x | 400 | EINVAL
            a header over the size limit        | GET /api/v1/host HTTP/1.1                | Host: localhost\\r\\nX-Big: BIG | 400 | EINVAL
            a request line over the size limit  | GET /BIG HTTP/1.1                        | Host: localhost         | 400 | EINVAL
            an unsupported HTTP version         | GET /api/v1/host HTTP/9.1                | Host: localhost         | 505 | EOPNOTSUPP
            an unsupported transfer coding      | POST /api/v1/host/reset HTTP/1.1         | Host: localhost\\r\\nTransfer-Encoding: gzip | 501 | EOPNOTSUPP
            CONNECT                             | CONNECT localhost:80 HTTP/1.1            | Host: localhost         | 501 | EOPNOTSUPP
            """)
    void tomcatRefusesWithAProblem(String what, String requestLine, String headers, int status, String errno)
            throws Exception {
        String request = requestLine.replace("BIG", BIG) + "\r\n" + headers.replace("\\r\\n", "\r\n").replace("BIG", BIG)
                + "\r\nConnection: close\r\n\r\n";

        RawHttp.Answer answer;
        try (Socket socket = RawHttp.connect("127.0.0.1", port)) {
            answer = RawHttp.exchange(socket, request);
        }

        assertThat(answer.status()).as(what).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.header("Server")).isNull();
        JsonNode problem = JsonMapper.builder().build().readTree(answer.body());
        assertThat(problem.propertyNames()).containsExactly("type", "title", "status", "detail", "instance", "errno");
        assertThat(problem.get("errno").asString()).isEqualTo(errno);
        assertThat(problem.get("type").asString()).isEqualTo("urn:nova-host:errno:" + errno);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("instance").asString()).startsWith("/");
        assertThat(answer.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("Exception").doesNotContain("\tat ");
    }
}
