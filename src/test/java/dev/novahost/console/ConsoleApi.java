package dev.novahost.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The API as a test calls it next to the console, to set the scene or check what the console did. */
record ConsoleApi(URI base, String token) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static ConsoleApi at(int port, String token) {
        return new ConsoleApi(URI.create("http://127.0.0.1:" + port), token);
    }

    String get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, 200);
    }

    String post(String path, String json, int expected) throws IOException, InterruptedException {
        return send("POST", path, json, expected);
    }

    String put(String path, String json) throws IOException, InterruptedException {
        return send("PUT", path, json, 200);
    }

    private String send(String method, String path, String json, int expected) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        var response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expected);
        return response.body();
    }
}
