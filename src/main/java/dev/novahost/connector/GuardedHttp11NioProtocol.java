package dev.novahost.connector;

import org.apache.coyote.Processor;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's HTTP/1.1 NIO protocol guarded against slow clients: a deadline for the request head
 * ({@link HeadDeadlineProcessor}) and a cap on the connections per client address
 * ({@link GuardedNioEndpoint}). Tomcat creates it by class name (Spring Boot's
 * {@code TomcatServletWebServerFactory.setProtocol}); its two settings are connector attributes like
 * Tomcat's own, set before the connector starts.
 *
 * <p>Tomcat's "upload timeout" is switched on and equal to {@code connectionTimeout}: Tomcat applies it
 * right after the head is parsed, which puts back the per-read timeout the head deadline lowered.
 */
public class GuardedHttp11NioProtocol extends Http11NioProtocol {

    public GuardedHttp11NioProtocol() {
        super(new GuardedNioEndpoint());
    }

    private GuardedNioEndpoint guarded() {
        return (GuardedNioEndpoint) getEndpoint();
    }

    /** Milliseconds a connection has to send a whole request head, from its opening or its last answer. */
    public long getHeaderTimeout() {
        return guarded().getHeaderTimeoutMillis();
    }

    public void setHeaderTimeout(long millis) {
        guarded().setHeaderTimeoutMillis(millis);
    }

    /** Connections one client address may hold open; 0 for no cap. */
    public int getMaxConnectionsPerClient() {
        return guarded().getMaxConnectionsPerClient();
    }

    public void setMaxConnectionsPerClient(int max) {
        guarded().setMaxConnectionsPerClient(max);
    }

    @Override
    protected Processor createProcessor() {
        return new HeadDeadlineProcessor(this, getAdapter());
    }

    @Override
    public boolean getDisableUploadTimeout() {
        return false;
    }

    @Override
    public int getConnectionUploadTimeout() {
        return getConnectionTimeout();
    }
}
