package dev.novahost.access;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The viewer and operator tokens: which {@link Role} a presented token grants. A token comes in
 * {@code Authorization: Bearer <token>}, or, for reads only, as {@code ?access_token=} (a browser's
 * EventSource cannot send headers). An unknown token is refused (401), not treated as no token.
 *
 * <p>Tokens are compared in constant time, both of them on every check, so the time taken does not tell
 * which one matched or how much of one did; they are never logged. Immutable, so safe from any thread.
 */
public final class BearerTokens implements AuthenticationProvider, AuthenticationConverter {

    /** Running a scenario, a sweep or an exploration reads: each runs in isolated kernels of its own and changes nothing. */
    public static final RequestMatcher SCENARIO_RUN = new OrRequestMatcher(
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/scenarios/run"),
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/scenarios/explore"),
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/scenarios/sweep"));

    private final byte[] viewer;
    private final byte[] operator;

    public BearerTokens(String viewerToken, String operatorToken) {
        this.viewer = bytes(viewerToken);
        this.operator = bytes(operatorToken);
    }

    /** Whether any token is configured; with none, every call is allowed (the server listens on loopback only). */
    public boolean configured() {
        return viewer.length > 0 || operator.length > 0;
    }

    /** The token the request presents, or null: then it is anonymous. */
    @Override
    public Authentication convert(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new BearerToken(header.substring(7));
        }
        if (isRead(request)) {
            String parameter = request.getParameter("access_token");
            return parameter == null ? null : new BearerToken(parameter);
        }
        return null;
    }

    @Override
    public Authentication authenticate(Authentication presented) {
        byte[] given = bytes(((BearerToken) presented).token());
        // Both comparisons always run, so the time taken does not tell which token matched.
        boolean isOperator = operator.length > 0 & MessageDigest.isEqual(given, operator);
        boolean isViewer = viewer.length > 0 & MessageDigest.isEqual(given, viewer);
        if (isOperator) {
            return new BearerToken(Role.OPERATOR);
        }
        if (isViewer) {
            return new BearerToken(Role.VIEWER);
        }
        throw new BadCredentialsException("Unknown token");
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerToken.class.isAssignableFrom(authentication);
    }

    /** Reads change nothing: GET, HEAD, OPTIONS, and running a scenario. */
    static boolean isRead(HttpServletRequest request) {
        return switch (request.getMethod()) {
            case "GET", "HEAD", "OPTIONS" -> true;
            default -> SCENARIO_RUN.matches(request);
        };
    }

    private static byte[] bytes(String token) {
        return token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
    }
}
