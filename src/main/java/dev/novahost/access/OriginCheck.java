package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.WebUtils;

/**
 * Cross-site request forgery, refused by origin: a request that may change state (any method but GET,
 * HEAD, OPTIONS, TRACE) and carries an {@code Origin} other than the service's own (scheme, host and
 * port of the request itself) is 403 {@code EPERM}. A browser sends {@code Origin} on every such
 * request, so a form or a script on another site can no longer {@code load} a module or reset the host;
 * a client that is not a browser (curl, Prometheus) sends none and is let through. This replaces
 * Spring Security's CSRF tokens, which a stateless bearer-token API has no session to keep in.
 *
 * <p>Cheap for the common case: one header read; the comparison runs only for a state change with an
 * {@code Origin}. Stateless, so safe from any thread.
 */
public final class OriginCheck extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        if (origin == null || isSafe(request.getMethod()) || isSameOrigin(request)) {
            chain.doFilter(request, response);
            return;
        }
        ProblemWriter.write(request, response, 403, Errno.EPERM, "A state change from another origin (" + origin
                + ") is refused: only the service's own pages (" + request.getScheme() + "://" + request.getServerName()
                + ":" + request.getServerPort() + ") may change state from a browser");
    }

    /** Spring's own comparison (as its CORS support makes it); an Origin that is not a URL is not ours. */
    private static boolean isSameOrigin(HttpServletRequest request) {
        try {
            return WebUtils.isSameOrigin(new ServletServerHttpRequest(request));
        } catch (IllegalArgumentException notAUrl) {
            return false;
        }
    }

    private static boolean isSafe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }
}
