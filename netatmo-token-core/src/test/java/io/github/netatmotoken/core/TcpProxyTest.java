package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy of the store tests, against an echo server. */
class TcpProxyTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ExecutorService echoThreads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "echo");
        thread.setDaemon(true);
        return thread;
    });
    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads.execute(() -> {
            while (true) {
                Socket socket;
                try {
                    socket = echo.accept();
                } catch (IOException e) {
                    return;
                }
                echoThreads.execute(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException e) {
                        // the proxy reset it
                    }
                });
            }
        });
        proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
        echoThreads.shutdownNow();
    }

    @Test
    void forwardsBytesBothWays() throws IOException {
        try (Socket client = connect()) {
            assertEquals("hello", roundTrip(client, "hello"));
            assertEquals("again", roundTrip(client, "again"));
            assertEquals(1, proxy.openConnections());
        }
    }

    @Test
    void cutResetsAnOpenConnection() throws IOException {
        try (Socket client = connect()) {
            assertEquals("before", roundTrip(client, "before"));
            proxy.cut();
            assertEquals(0, proxy.openConnections());
            assertFailsWithinBound(client);
        }
    }

    @Test
    void aNewConnectionIsResetWhileCut() throws IOException {
        proxy.cut();
        try (Socket client = connect()) {
            assertFailsWithinBound(client);
        }
        assertEquals(1, proxy.connectionsAccepted());
    }

    @Test
    void restoreLetsNewConnectionsThroughOnTheSamePort() throws IOException {
        int port = proxy.port();
        proxy.cut();
        proxy.restore();
        try (Socket client = connect()) {
            assertEquals("after", roundTrip(client, "after"));
        }
        assertEquals(port, proxy.port());
    }

    @Test
    void closeStopsListeningAndResetsConnections() throws IOException {
        try (Socket client = connect()) {
            assertEquals("x", roundTrip(client, "x"));
            proxy.close();
            assertFailsWithinBound(client);
        }
        assertThrows(ConnectException.class, this::connect);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(proxy.host(), proxy.port());
        socket.setSoTimeout(Math.toIntExact(BOUND.toMillis()));
        return socket;
    }

    private static String roundTrip(Socket client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.getOutputStream().write(bytes);
        client.getOutputStream().flush();
        return new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    /** A reset shows as an IOException on a write or read, or an end of stream; never as the read timeout. */
    private static void assertFailsWithinBound(Socket client) {
        assertTimeoutPreemptively(BOUND, () -> {
            try {
                OutputStream out = client.getOutputStream();
                out.write('?');
                out.flush();
                InputStream in = client.getInputStream();
                assertEquals(-1, in.read(), "the connection delivered data after the cut");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection was not cut, the read timed out", e);
            } catch (IOException expected) {
                // connection reset
            }
        });
    }
}
