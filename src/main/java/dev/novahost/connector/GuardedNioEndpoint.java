package dev.novahost.connector;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's NIO endpoint with a cap on the connections one client address may hold
 * ({@link ClientConnectionLimit}), and no more time for a new connection's first byte than for its whole
 * request head ({@link HeadDeadlineProcessor} keeps the deadline after that).
 *
 * <p>Admission happens in {@link #setSocketOptions}, on the acceptor thread, before the socket is handed
 * to the poller: a client past its cap is accepted and closed at once (the kernel's backlog is not
 * ours to filter), and never reaches Tomcat's connection table. The slot comes back in
 * {@link Handler#release}, which {@code SocketWrapperBase.close()} calls exactly once per connection,
 * whoever closes it; the endpoint puts a delegating handler in front of the protocol's for that.
 *
 * <p>Its settings are made before the connector starts (Tomcat starts the acceptor thread after them).
 */
final class GuardedNioEndpoint extends NioEndpoint {

    private static final Logger log = LoggerFactory.getLogger(GuardedNioEndpoint.class);
    private static final long WARN_EVERY_MS = 60_000;

    private volatile ClientConnectionLimit<SocketChannel> clients = new ClientConnectionLimit<>(0);
    private volatile long headerTimeoutMillis = 20_000;
    private final AtomicLong refused = new AtomicLong();
    private volatile long nextWarning;

    void setMaxConnectionsPerClient(int max) {
        clients = new ClientConnectionLimit<>(max);
    }

    int getMaxConnectionsPerClient() {
        return clients.max();
    }

    void setHeaderTimeoutMillis(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("the header timeout must be positive: " + millis + " ms");
        }
        headerTimeoutMillis = millis;
    }

    long getHeaderTimeoutMillis() {
        return headerTimeoutMillis;
    }

    @Override
    protected boolean setSocketOptions(SocketChannel socket) {
        if (!admit(socket)) {
            destroySocket(socket);
            return false;
        }
        if (!super.setSocketOptions(socket)) {
            clients.release(socket);
            return false;
        }
        // Tomcat waits connectionTimeout for the first byte; the head as a whole has less. If the
        // connection was processed in the meantime, this lowers what its processor set to at most the
        // header timeout, which moves nothing past the deadline by more than the time since accept.
        SocketWrapperBase<NioChannel> wrapper = connections.get(socket);
        if (wrapper != null) {
            wrapper.setReadTimeout(firstByteTimeout());
        }
        return true;
    }

    private long firstByteTimeout() {
        long connectionTimeout = getConnectionTimeout();
        return connectionTimeout > 0 ? Math.min(connectionTimeout, headerTimeoutMillis) : headerTimeoutMillis;
    }

    private boolean admit(SocketChannel socket) {
        InetAddress client;
        try {
            if (!(socket.getRemoteAddress() instanceof InetSocketAddress remote)) {
                return true;
            }
            client = remote.getAddress();
        } catch (IOException closedAlready) {
            return false;
        }
        if (clients.admit(socket, client)) {
            return true;
        }
        long count = refused.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now >= nextWarning) {
            nextWarning = now + WARN_EVERY_MS;
            log.warn("nova-host: {} already holds {} connections (nova.max-connections-per-client): closing its new ones "
                    + "({} refused since start)", client.getHostAddress(), clients.max(), count);
        }
        return false;
    }

    @Override
    public void setHandler(Handler<NioChannel> handler) {
        super.setHandler(new ReleasingHandler(handler));
    }

    /** The protocol's handler, and the connection's slot given back when Tomcat releases its socket. */
    private final class ReleasingHandler implements Handler<NioChannel> {

        private final Handler<NioChannel> protocol;

        ReleasingHandler(Handler<NioChannel> protocol) {
            this.protocol = protocol;
        }

        @Override
        public SocketState process(SocketWrapperBase<NioChannel> socket, SocketEvent status) {
            return protocol.process(socket, status);
        }

        @Override
        public Object getGlobal() {
            return protocol.getGlobal();
        }

        @Override
        public void release(SocketWrapperBase<NioChannel> socket) {
            try {
                protocol.release(socket);
            } finally {
                SocketChannel channel = socket.getSocket().getIOChannel();
                if (channel != null) {
                    clients.release(channel);
                }
            }
        }

        @Override
        public void pause() {
            protocol.pause();
        }

        @Override
        public void recycle() {
            protocol.recycle();
        }
    }
}
