package dev.novahost.reliability;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.web.util.UriUtils;

/**
 * One HTTP request made from fuzzer bytes: mostly a route of the contract with its parameters filled
 * in (known-good values, hex strings, offsets, huge and negative numbers, garbage), sometimes another
 * method or a path the contract does not have; headers, and a body that is JSON shaped like the
 * service's requests, deeply nested JSON, or raw bytes.
 *
 * <p>What the provider cannot give any more comes out empty or zero, so every input makes a request.
 */
record FuzzedRequest(String method, String path, String description, MockHttpServletRequestBuilder builder) {

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json",
            "application/problem+json", "application/json;charset=UTF-16", "text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "*/*", "garbage", "");
    private static final List<String> ACCEPTS = List.of("", "*/*", "application/json", "application/problem+json",
            "text/html", "application/xml", "text/event-stream", "image/png", "garbage/*;q=0.1");
    /** The fields the service's request bodies have, and a few it does not. */
    private static final List<String> FIELDS = List.of("chipset", "address", "revision", "value", "mode", "delayNs",
            "periodNs", "scope", "action", "work", "requeue", "device", "policy", "forgetTimerCancel",
            "forgetWorkCancel", "forgetFileDisconnect", "forgetIrqFree", "leakRegion", "wrongCancelOrder",
            "probeFailure", "steps", "policies", "name", "at", "unknown", "");
    private static final List<String> WORDS = List.of("GA102", "GP102", "AD104", "ga102", "periodic", "oneshot",
            "device", "module", "read-ptimer", "touch-bar", "queue-work", "noop", "revocable", "fenced", "EBUSY",
            "ENODEV", "pin", "disassociate", "nova-core", "0000:01:00.0", "0000:02:00.0", "0x1400", "0xdeadbeef", "");
    private static final List<String> NUMBERS = List.of("0", "1", "-1", "4", "0x0", "0x1400", "0x9400", "0x147c",
            "0xffffff", "0x1000000", "0x7fffffff", "0x80000000", "0xffffffff", "0x100000000", "0xffffffffffffffff",
            "-0x1", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
            "99999999999999999999999999999999", "1e3", "1e400", "-1e400", "1.5", "NaN", "Infinity", "0x", "0xg",
            "037777777777", "+4", " 4", "");

    /**
     * @param known values that name real objects on the host right now, by parameter name ({@code address},
     *              {@code fd}, {@code timers.id}...), so that the fuzzer reaches past "not found"
     */
    static FuzzedRequest from(FuzzedDataProvider data, ApiRoutes routes, Map<String, String> known) {
        var route = routes.routes().get(data.consumeInt(0, routes.routes().size() - 1));
        String method = data.consumeInt(0, 9) < 8 ? route.method() : pick(data, METHODS);
        String path = path(data, route, known);
        var request = MockMvcRequestBuilders.request(HttpMethod.valueOf(method), URI.create(path));
        var description = new StringBuilder(method).append(' ').append(path);
        var query = new ArrayList<String>();
        for (String name : route.queryParams()) {
            if (data.consumeBoolean()) {
                String value = value(data, name, known);
                request.queryParam(name, value);
                query.add(name + "=" + value);
            }
        }
        if (data.consumeInt(0, 9) == 0) {
            String name = token(data);
            String value = printable(data, 40);
            request.queryParam(name, value);
            query.add(name + "=" + value);
        }
        if (!query.isEmpty()) {
            description.append(" ?").append(String.join("&", query));
        }
        description.append(headers(data, request)).append(body(data, request));
        return new FuzzedRequest(method, path, description.toString(), request);
    }

    /** The template with each parameter filled in, sometimes with an extra or a missing segment. */
    private static String path(FuzzedDataProvider data, ApiRoutes.Route route, Map<String, String> known) {
        String path = route.template();
        for (String name : route.pathParams()) {
            path = path.replace("{" + name + "}", UriUtils.encodePathSegment(value(data, known(route, name), known),
                    StandardCharsets.UTF_8));
        }
        return switch (data.consumeInt(0, 19)) {
            case 0 -> path + "/" + UriUtils.encodePathSegment(printable(data, 20), StandardCharsets.UTF_8);
            case 1 -> path.substring(0, path.lastIndexOf('/'));
            case 2 -> path + "/";
            default -> path;
        };
    }

    /** How {@code known} names a parameter: an {@code id} by its collection ({@code timers.id}). */
    private static String known(ApiRoutes.Route route, String name) {
        if (!name.equals("id")) {
            return name;
        }
        String before = route.template().substring(0, route.template().indexOf("/{id}"));
        return before.substring(before.lastIndexOf('/') + 1) + ".id";
    }

    /** A parameter's value: the real one, a typical one, a number of some shape, or anything. */
    private static String value(FuzzedDataProvider data, String name, Map<String, String> known) {
        return switch (data.consumeInt(0, 5)) {
            case 0, 1 -> known.getOrDefault(name, pick(data, WORDS));
            case 2 -> pick(data, NUMBERS);
            case 3 -> pick(data, WORDS);
            case 4 -> Long.toString(data.consumeLong());
            default -> printable(data, 40);
        };
    }

    /** Sets the headers; returns them as text for the failure message. */
    private static String headers(FuzzedDataProvider data, MockHttpServletRequestBuilder request) {
        var said = new StringBuilder();
        String contentType = pick(data, CONTENT_TYPES);
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
            said.append("\n  Content-Type: ").append(contentType);
        }
        String accept = pick(data, ACCEPTS);
        if (!accept.isEmpty()) {
            request.header("Accept", accept);
            said.append("\n  Accept: ").append(accept);
        }
        if (data.consumeInt(0, 4) == 0) {
            String bearer = "Bearer " + printable(data, 30);
            request.header("Authorization", bearer);
            said.append("\n  Authorization: ").append(bearer);
        }
        if (data.consumeInt(0, 4) == 0) {
            String name = token(data);
            String value = printable(data, 60);
            request.header(name, value);
            said.append("\n  ").append(name).append(": ").append(value);
        }
        return said.toString();
    }

    /** Sets the body; returns it (or its size) as text for the failure message. */
    private static String body(FuzzedDataProvider data, MockHttpServletRequestBuilder request) {
        return switch (data.consumeInt(0, 5)) {
            case 0 -> "";
            case 1 -> {
                byte[] bytes = data.consumeBytes(data.consumeInt(0, 4_096));
                request.content(bytes);
                yield "\n\n  (" + bytes.length + " raw bytes)";
            }
            case 2 -> {
                int depth = data.consumeInt(1, 20_000);
                boolean arrays = data.consumeBoolean();
                request.content(deepJson(depth, arrays));
                yield "\n\n  (JSON " + (arrays ? "arrays" : "objects") + " nested " + depth + " deep)";
            }
            default -> {
                String json = json(data, 0);
                request.content(json);
                yield "\n\n  " + (json.length() > 500 ? json.substring(0, 500) + "..." : json);
            }
        };
    }

    /** A JSON value shaped like the service's requests: objects of known fields, with values of every kind. */
    private static String json(FuzzedDataProvider data, int depth) {
        int kind = depth > 3 ? data.consumeInt(2, 7) : data.consumeInt(0, 7);
        return switch (kind) {
            case 0, 1 -> {
                var fields = new ArrayList<String>();
                int n = data.consumeInt(0, 6);
                for (int i = 0; i < n; i++) {
                    fields.add(quote(pick(data, FIELDS)) + ":" + json(data, depth + 1));
                }
                yield "{" + String.join(",", fields) + "}";
            }
            case 2 -> quote(pick(data, WORDS));
            case 3 -> numberLiteral(data);
            case 4 -> quote(pick(data, NUMBERS));
            case 5 -> data.consumeBoolean() ? "true" : "null";
            case 6 -> "[" + json(data, depth + 1) + "]";
            default -> quote(printable(data, 30));
        };
    }

    /** A JSON number, often one no Java integer holds. */
    private static String numberLiteral(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 4)) {
            case 0 -> Long.toString(data.consumeLong());
            case 1 -> "9".repeat(data.consumeInt(1, 400));
            case 2 -> "-" + "9".repeat(data.consumeInt(1, 40));
            case 3 -> "1e" + data.consumeInt(-400, 400);
            default -> Double.toString(data.consumeDouble()).replace("Infinity", "1e999").replace("NaN", "0");
        };
    }

    private static String deepJson(int depth, boolean arrays) {
        return arrays ? "[".repeat(depth) + "]".repeat(depth)
                : "{\"value\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String token(FuzzedDataProvider data) {
        String raw = data.consumeAsciiString(16).replaceAll("[^A-Za-z0-9-]", "");
        return raw.isEmpty() ? "X-Fuzz" : raw;
    }

    /** Printable ASCII: what a client can put in a header or a URL at all (MockMvc refuses the rest). */
    private static String printable(FuzzedDataProvider data, int max) {
        return data.consumeAsciiString(max).replaceAll("[^\\x20-\\x7e]", "");
    }

    private static String pick(FuzzedDataProvider data, List<String> choices) {
        return choices.get(data.consumeInt(0, choices.size() - 1));
    }
}
