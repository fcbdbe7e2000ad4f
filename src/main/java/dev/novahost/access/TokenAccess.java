package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Two roles, as libvirt's read-only and full connections: a viewer token may read everything (GETs,
 * the event stream, metrics, scenario runs, which never touch the live host); an operator token may also
 * change state. With no token configured every call is let through (the server then listens on
 * loopback only). Missing or unknown token: 401; a viewer changing state: 403.
 *
 * <p>Tokens are compared in constant time and never logged. {@code access_token} as a query parameter
 * is accepted for reads only, because a browser's EventSource cannot send headers.
 */
public final class TokenAccess extends OncePerRequestFilter {

    public enum Role { VIEWER, OPERATOR }

    /** Tells a client (the web console) which role its token has, so it can hide what it may not do. */
    public static final String ROLE_HEADER = "X-Nova-Role";

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final byte[] viewer;
    private final byte[] operator;

    public TokenAccess(String viewerToken, String operatorToken) {
        this.viewer = bytes(viewerToken);
        this.operator = bytes(operatorToken);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.startsWith("/api/") && !(path.startsWith("/actuator/") && !path.startsWith("/actuator/health"));
    }

    private boolean open() {
        return viewer.length == 0 && operator.length == 0;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (open()) {
            response.setHeader(ROLE_HEADER, "operator");
            chain.doFilter(request, response);
            return;
        }
        boolean read = isRead(request);
        var role = token(request, read).flatMap(this::roleOf);
        if (role.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"nova-host\"");
            ProblemWriter.write(request, response, 401, Errno.EACCES,
                    "This call needs a token: send 'Authorization: Bearer <token>' with a viewer or operator token");
            return;
        }
        response.setHeader(ROLE_HEADER, role.get().name().toLowerCase(java.util.Locale.ROOT));
        if (!read && role.get() != Role.OPERATOR) {
            ProblemWriter.write(request, response, 403, Errno.EPERM,
                    "A viewer token may read but not change state; this call needs the operator token");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Reads change nothing: GETs, and running a scenario in its own isolated kernel. */
    static boolean isRead(HttpServletRequest request) {
        return READ_METHODS.contains(request.getMethod())
                || ("POST".equals(request.getMethod()) && request.getRequestURI().equals("/api/v1/scenarios/run"));
    }

    private static Optional<String> token(HttpServletRequest request, boolean read) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(header.substring(7).trim());
        }
        return read ? Optional.ofNullable(request.getParameter("access_token")) : Optional.empty();
    }

    private Optional<Role> roleOf(String token) {
        byte[] given = bytes(token);
        // Both comparisons always run, so the time taken does not tell which token matched.
        boolean isOperator = operator.length > 0 && MessageDigest.isEqual(given, operator);
        boolean isViewer = viewer.length > 0 && MessageDigest.isEqual(given, viewer);
        return isOperator ? Optional.of(Role.OPERATOR) : isViewer ? Optional.of(Role.VIEWER) : Optional.empty();
    }

    private static byte[] bytes(String token) {
        return token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
    }
}
