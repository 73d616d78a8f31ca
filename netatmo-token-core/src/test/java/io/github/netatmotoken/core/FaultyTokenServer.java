package io.github.netatmotoken.core;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token endpoint on 127.0.0.1 and a free port that misbehaves in one named way, on a raw socket, so that the same
 * faults can be served to any HTTP client (java.net.http, OkHttp 4 and 5). Each request is read whole (headers and
 * a {@code Content-Length} body) before the fault begins; {@link #awaitRequest()} tells when. Thread-safe.
 *
 * <p>Used by the core's and the okhttp module's client tests (through the core's test jar).
 */
public final class FaultyTokenServer implements AutoCloseable {
    /** What the server does once it has read a request, after MockWebServer's socket policies. */
    public enum Fault {
        /** Accepts the connection, reads the request and never answers. */
        NO_RESPONSE,
        /** Sends the status and headers and a part of the body, then nothing more. */
        STALL_MID_BODY,
        /** Sends the status and headers, then one byte of the body every 200 ms, forever. */
        TRICKLE_BODY,
        /** Answers with {@link #answer} (200, JSON) once {@link #release()} is called. */
        HOLD_ANSWER
    }

    private final Fault fault;
    private final String answer;
    private final ServerSocket serverSocket;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CountDownLatch requestRead = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private FaultyTokenServer(Fault fault, String answer) throws IOException {
        this.fault = fault;
        this.answer = answer;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::acceptLoop, "faulty-token-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server with {@code fault}; for {@link Fault#HOLD_ANSWER} use {@link #holdingAnswer(String)}. */
    public static FaultyTokenServer start(Fault fault) throws IOException {
        return new FaultyTokenServer(fault, "{}");
    }

    /** A server that answers 200 with {@code json} only once {@link #release()} is called. */
    public static FaultyTokenServer holdingAnswer(String json) throws IOException {
        return new FaultyTokenServer(Fault.HOLD_ANSWER, json);
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + serverSocket.getLocalPort());
    }

    /** Waits up to 10 seconds for the first request to have been read whole. */
    public void awaitRequest() throws InterruptedException {
        if (!requestRead.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the server received no whole request within 10 seconds");
        }
    }

    /** Lets a {@link Fault#HOLD_ANSWER} server send its answer. */
    public void release() {
        released.countDown();
    }

    /** How many requests the server has read whole. */
    public int requestCount() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                sockets.add(socket);
                Thread serving = new Thread(() -> serve(socket), "faulty-token-server-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            readRequest(in);
            requests.incrementAndGet();
            requestRead.countDown();
            OutputStream out = socket.getOutputStream();
            switch (fault) {
                case NO_RESPONSE -> closed.await();
                case STALL_MID_BODY -> {
                    write(out, headers(100) + "{\"access_token\":");
                    closed.await();
                }
                case TRICKLE_BODY -> {
                    write(out, headers(1_000_000));
                    while (!closed.await(200, TimeUnit.MILLISECONDS)) {
                        write(out, " ");
                    }
                }
                case HOLD_ANSWER -> {
                    released.await();
                    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                    write(out, headers(body.length));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up, or the server was closed: both end this connection
        }
    }

    private static String headers(int contentLength) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + contentLength
                + "\r\nConnection: close\r\n\r\n";
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads the request line, the headers and a {@code Content-Length} body. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the request ended");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        if (in.readNBytes((int) length).length < length) {
            throw new IOException("connection closed before the request body ended");
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        released.countDown();
        serverSocket.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
