package dev.novahost.connector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as a test writes it: for what an HTTP client library
 * would refuse to send or would normalise away (a broken request line, a head sent a byte at a time,
 * {@code /api;/v1} or {@code /%61pi}, any {@code Host}) and for choosing the loopback address a
 * connection comes from (the whole of 127.0.0.0/8 is loopback).
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** An answer: its status, its headers (names in lower case) and its body as text. */
    public record Answer(int status, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * One request on a connection of its own to {@code 127.0.0.1:port}, its target sent exactly as
     * written; {@code body} (JSON unless the headers say otherwise) may be null. A large body is written
     * on the side, since the server may answer (413, 400) without reading it.
     */
    public static Answer send(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            var head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            var all = new LinkedHashMap<String, String>();
            all.put("Host", "127.0.0.1:" + port);
            all.putAll(headers);
            all.put("Connection", "close");
            if (body != null) {
                all.putIfAbsent("Content-Type", "application/json");
                all.put("Content-Length", Integer.toString(body.length));
            }
            all.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            send(socket, head.append("\r\n").toString());
            Thread writer = null;
            if (body != null) {
                OutputStream out = socket.getOutputStream();
                writer = Thread.ofVirtual().start(() -> {
                    try {
                        out.write(body);
                        out.flush();
                    } catch (IOException closedEarly) {
                        // the answer is what counts
                    }
                });
            }
            var answer = read(socket);
            if (writer != null) {
                socket.close();
                writer.interrupt();
            }
            return answer;
        }
    }

    /** A connection to {@code 127.0.0.1:port} from {@code from} (any 127.x.y.z address). */
    public static Socket connect(String from, int port) throws IOException {
        var socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    public static void send(Socket socket, String text) throws IOException {
        send(socket, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static void send(Socket socket, byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Sends {@code request} and reads one answer. */
    public static Answer exchange(Socket socket, String request) throws IOException {
        send(socket, request);
        return read(socket);
    }

    /**
     * Reads one answer: its body by Content-Length, chunk by chunk, or up to the close; an event
     * stream's body is left unread.
     */
    public static Answer read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream(); // unbuffered: the next answer on the connection stays unread
        int status = status(line(in));
        var headers = new LinkedHashMap<String, String>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        if (headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
            return new Answer(status, headers, "");
        }
        byte[] body;
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            var chunks = new ByteArrayOutputStream();
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            body = chunks.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads the head of an answer whose body goes on (an event stream), and returns its status. */
    public static int readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int status = status(line(in));
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            // the headers: not needed
        }
        return status;
    }

    /**
     * Whether the server has closed the connection: a read finds the end of the stream or a reset. It
     * waits at most 50 ms, for polling; any bytes the server sent before are skipped.
     */
    public static boolean closedByServer(Socket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(50);
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
    }

    private static int status(String statusLine) throws SocketException {
        if (statusLine == null) {
            throw new SocketException("the server closed the connection without an answer");
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static int chunkSize(InputStream in) throws IOException {
        String line = line(in);
        if (line == null) {
            throw new SocketException("the server closed the connection in the middle of a chunked body");
        }
        return Integer.parseInt(line.trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
