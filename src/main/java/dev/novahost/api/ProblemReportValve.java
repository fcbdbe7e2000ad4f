package dev.novahost.api;

import dev.novahost.access.ProblemWriter;
import dev.novahost.kernel.Errno;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's own error answers as RFC 9457 problems, in the shape of every other nova-host error: what
 * Tomcat refuses before a request reaches Spring (a malformed request line or URL, a header over the size
 * limit, a bad Host header, an HTTP version or transfer coding it does not speak). Tomcat's
 * {@link ErrorReportValve} writes those as an HTML page; this valve takes its place on the host.
 *
 * <p>It writes only an error answer nothing else has written (Spring's problems pass through untouched),
 * with a fixed sentence per status: no stack trace, no server name or version, nothing of Tomcat's
 * message.
 */
public final class ProblemReportValve extends ErrorReportValve {

    /** Puts this valve on {@code host} in place of any {@link ErrorReportValve}, now and when the host starts. */
    public static void install(StandardHost host) {
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve) {
                host.getPipeline().removeValve(valve);
            }
        }
        host.getPipeline().addValve(new ProblemReportValve());
        // StandardHost adds a valve of this class at start unless one is there already.
        host.setErrorReportValveClass(ProblemReportValve.class.getName());
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        var ioAllowed = new AtomicBoolean();
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        Errno errno = ProblemStatus.errnoFor(status);
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ProblemWriter.json(status, errno, detail(status), instance(request)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException clientGone) {
            // nothing more to tell a client that cannot be written to
        }
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "The request was refused before it reached the API: its request line, URL, Host header or "
                    + "another header is malformed, or its head is larger than the server accepts";
            case 501 -> "The server does not implement what the request asks for (a method such as CONNECT, or a "
                    + "transfer coding other than chunked)";
            case 505 -> "The HTTP version is not supported; send HTTP/1.1";
            default -> "The request was refused before it reached the API (HTTP " + status + ")";
        };
    }

    /** The request's path, as the API's problems give it; "/" when the request line held none. */
    private static String instance(Request request) {
        String uri = request.getRequestURI();
        return uri != null && uri.startsWith("/") ? uri : "/";
    }
}
