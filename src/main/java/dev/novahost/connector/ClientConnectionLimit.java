package dev.novahost.connector;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} open connections per client address, as nginx's {@code limit_conn} keyed on
 * {@code $binary_remote_addr}: a connection is admitted while its address holds fewer, and gives its slot
 * back when it closes. {@code max} 0 admits everyone and keeps no state.
 *
 * <p>Invariant: {@code perClient.get(a)} is the number of connections from {@code a} in {@code open} (no
 * entry for none). Both maps therefore hold one entry per open connection at most: memory follows the
 * connections open now, never the number of addresses ever seen.
 *
 * <p>Thread safety: {@link #admit} runs on the acceptor thread, {@link #release} on whichever thread closes
 * the connection. A count changes only inside {@code ConcurrentHashMap.compute} for its address, which is
 * atomic per key. {@link #release} first takes the connection out of {@code open}, so releasing one twice
 * (Tomcat's close after the endpoint's own failure path) gives back one slot. A connection is in
 * {@code open} before {@link #admit} returns, and nothing can close it before then: until {@link #admit}
 * returns, only its caller knows the connection.
 *
 * @param <C> what identifies a connection (the endpoint's socket channel)
 */
final class ClientConnectionLimit<C> {

    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<C, InetAddress> open = new ConcurrentHashMap<>();

    ClientConnectionLimit(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("a connection limit cannot be negative: " + max);
        }
        this.max = max;
    }

    /** Takes a slot of {@code client} for {@code connection}; false (and nothing kept) if it has none left. */
    boolean admit(C connection, InetAddress client) {
        if (max == 0) {
            return true;
        }
        var admitted = new boolean[1];
        perClient.compute(client, (address, held) -> {
            int count = held == null ? 0 : held;
            if (count >= max) {
                return held;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (admitted[0]) {
            open.put(connection, client);
        }
        return admitted[0];
    }

    /** Gives back the slot {@code connection} holds, if it holds one. */
    void release(C connection) {
        InetAddress client = open.remove(connection);
        if (client != null) {
            perClient.computeIfPresent(client, (address, held) -> held == 1 ? null : held - 1);
        }
    }

    int max() {
        return max;
    }

    /** Connections {@code client} holds now. */
    int heldBy(InetAddress client) {
        return perClient.getOrDefault(client, 0);
    }

    /** Addresses that hold a connection now. */
    int clients() {
        return perClient.size();
    }
}
