package dev.novahost.connector;

import java.io.IOException;
import org.apache.coyote.Adapter;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.NioEndpoint.NioSocketWrapper;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's HTTP/1.1 processor with a deadline for the request head, as nginx's
 * {@code client_header_timeout}: the head must be complete within the header timeout of the moment the
 * connection opened or its previous answer was sent; past it, the connection is closed.
 *
 * <p>Why: Tomcat's {@code connectionTimeout} restarts at every read, so a client that sends a header byte
 * every few seconds (or CR LF forever before a request line, which Tomcat skips) keeps its connection for
 * good, and some 8,200 of them fill {@code maxConnections}.
 *
 * <p>How: Tomcat's poller already closes a socket whose last read is older than its read timeout (once a
 * second). Each time the parser stops with the head incomplete, this sets that read timeout to what is left
 * until the deadline, counted from the last read, so the poller closes the connection at the deadline; a
 * byte that comes after it closes the connection at once. The deadline's start is the socket's last write:
 * the moment of accept for a new connection, the end of the previous answer for a kept-alive one. Once the
 * head is complete, Tomcat sets the read timeout back to {@code connectionTimeout} for the body
 * ({@link GuardedHttp11NioProtocol} makes that its "upload timeout").
 *
 * <p>Threads: Tomcat hands a socket to one processing thread at a time, and this runs on it, after the
 * parser and before the socket goes back to the poller.
 */
final class HeadDeadlineProcessor extends Http11Processor {

    private final GuardedHttp11NioProtocol protocol;

    HeadDeadlineProcessor(GuardedHttp11NioProtocol protocol, Adapter adapter) {
        super(protocol, adapter);
        this.protocol = protocol;
    }

    @Override
    public SocketState service(SocketWrapperBase<?> socket) throws IOException {
        SocketState state = super.service(socket);
        if (!awaitsHead(state) || !(socket instanceof NioSocketWrapper nio)) {
            return state;
        }
        long deadline = nio.getLastWrite() + protocol.getHeaderTimeout();
        if (System.currentTimeMillis() >= deadline) {
            return SocketState.CLOSED;
        }
        // the poller times the socket out once (now - last read) > read timeout: that is, at the deadline
        long fromLastRead = deadline - nio.getLastRead();
        long timeout = nio.getReadTimeout();
        nio.setReadTimeout(timeout > 0 ? Math.min(timeout, fromLastRead) : fromLastRead);
        return state;
    }

    /** Between requests (OPEN) or inside a head (LONG and neither async nor upgraded): bytes still owed. */
    private boolean awaitsHead(SocketState state) {
        return state == SocketState.OPEN || state == SocketState.LONG && !isAsync() && !isUpgrade();
    }
}
