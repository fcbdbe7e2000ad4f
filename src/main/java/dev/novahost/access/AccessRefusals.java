package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * How Spring Security's refusals reach a client: as problem details with an errno, like every other
 * error of the service, never its HTML pages or a bare status.
 *
 * <ul>
 *   <li>no token or an unknown one: 401 {@code EACCES} with {@code WWW-Authenticate: Bearer};</li>
 *   <li>a viewer changing state: 403 {@code EPERM};</li>
 *   <li>a request its firewall rejects: 403 {@code EPERM} when the {@code Host} is not a name of this
 *       service ({@link HostNames}, DNS rebinding), else 400 {@code EINVAL} (a path that is not in
 *       canonical form: {@code ;}, {@code //}, {@code /./}, {@code ..}, an encoded {@code /} or
 *       {@code %}; a method outside GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE).</li>
 * </ul>
 */
public final class AccessRefusals implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    private final HostNames hosts;

    public AccessRefusals(HostNames hosts) {
        this.hosts = hosts;
    }

    /** The names the firewall lets through, which this tells apart from other rejections. */
    public HostNames hosts() {
        return hosts;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failed)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"nova-host\"");
        ProblemWriter.write(request, response, 401, Errno.EACCES,
                "This call needs a token: send 'Authorization: Bearer <token>' with a viewer or operator token");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        ProblemWriter.write(request, response, 403, Errno.EPERM,
                "A viewer token may read but not change state; this call needs the operator token");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        if (!hosts.allows(request.getServerName())) {
            ProblemWriter.write(request, response, 403, Errno.EPERM, "Host '" + request.getServerName()
                    + "' is not a name of this service (a DNS rebinding attack looks like this); to reach it under that"
                    + " name, add it to nova.allowed-hosts (NOVA_ALLOWED_HOSTS)");
            return;
        }
        ProblemWriter.write(request, response, 400, Errno.EINVAL, rejected.getMessage());
    }
}
