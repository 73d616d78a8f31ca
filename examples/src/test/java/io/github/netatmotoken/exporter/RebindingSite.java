package io.github.netatmotoken.exporter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A DNS rebinding attack in one process: a loopback port that first answers as the attacker's site, then as the
 * exporter. The browser loads {@link #PAGE} from it under the attacker's name (mapped to 127.0.0.1 with Chromium's
 * {@code --host-resolver-rules}); every other request on it is passed to the exporter byte for byte, its
 * {@code Host} header unchanged, as if the name now resolved to the exporter's address. For the browser, the page
 * and the exporter's answers are then of one origin, so the page's scripts may read them. Thread-safe.
 */
final class RebindingSite implements AutoCloseable {
    /** The path of the attacker's page; it is served with {@code Connection: close}, so later requests are passed. */
    static final String PAGE = "/rebind";

    private final ServerSocket server;
    private final int exporterPort;
    private final String html;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rebinding-site");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private RebindingSite(ServerSocket server, int exporterPort, String html) {
        this.server = server;
        this.exporterPort = exporterPort;
        this.html = html;
    }

    /** Serves {@code html} at {@link #PAGE} and passes everything else to the exporter on {@code exporterPort}. */
    static RebindingSite start(int exporterPort, String html) throws IOException {
        RebindingSite site = new RebindingSite(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
                exporterPort, html);
        site.threads.execute(site::accept);
        return site;
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            String requestLine = new String(head, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0];
            if (requestLine.startsWith("GET " + PAGE + " ")) {
                byte[] body = html.getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                        + body.length + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            try (Socket exporter = new Socket(InetAddress.getLoopbackAddress(), exporterPort)) {
                open.add(exporter);
                exporter.getOutputStream().write(head);
                threads.execute(() -> pipe(in, exporter));
                exporter.getInputStream().transferTo(client.getOutputStream());
            }
        } catch (IOException e) {
            // a connection closed by either side
        } finally {
            open.remove(client);
        }
    }

    private static void pipe(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
        } catch (IOException closed) {
            // either side closed
        }
    }

    /** The bytes up to and including the blank line after the headers. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4 && head.size() < 65536) {
            int c = in.read();
            if (c < 0) {
                throw new SocketException("closed before the end of the headers");
            }
            head.write(c);
            matched = c == end[matched] ? matched + 1 : c == '\r' ? 1 : 0;
        }
        return head.toByteArray();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
