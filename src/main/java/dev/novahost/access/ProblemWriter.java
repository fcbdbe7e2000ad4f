package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** Writes an RFC 9457 problem straight to the response, for filters that answer before any controller. */
public final class ProblemWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemWriter() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, int status, Errno errno,
                      String detail) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write(json(status, errno, detail, request.getRequestURI()));
    }

    /** The problem's JSON, for a writer of its own (Tomcat's error valve, which answers before any filter). */
    public static String json(int status, Errno errno, String detail, String instance) {
        var problem = new LinkedHashMap<String, Object>();
        problem.put("type", "urn:nova-host:errno:" + errno.name());
        problem.put("title", errno.description());
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", instance);
        problem.put("errno", errno.name());
        return JSON.writeValueAsString(problem);
    }
}
