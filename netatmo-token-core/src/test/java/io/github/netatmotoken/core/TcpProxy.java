package io.github.netatmotoken.core;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 between a client and a server (a database, Redis), for fault tests: {@link #cut()} resets
 * every connection through it and every new one, as a network partition or a server crash would look to the
 * client; {@link #restore()} lets connections through again. The proxy keeps its port all the while, so clients
 * reconnect to the same address.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", server.port())) {
 *     Jedis jedis = new Jedis("127.0.0.1", proxy.port());
 *     proxy.cut();       // jedis's next command fails
 *     proxy.restore();   // a new connection works
 * }
 * }</pre>
 *
 * <p>Every wait is bounded: connecting to the server takes at most {@link #CONNECT_TIMEOUT}, and {@link #close()}
 * waits at most {@link #CLOSE_TIMEOUT} for its threads. Thread-safe.
 */
public final class TcpProxy implements Closeable {
    /** How long the proxy waits for the server to accept a connection before it resets the client's. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #close()} waits for the proxy's threads to end. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final AtomicInteger PROXIES = new AtomicInteger();

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final ExecutorService threads;
    private final Object lock = new Object();
    /** Guarded by {@code lock}: the sockets of live connections, both sides. */
    private final Set<Socket> sockets = new HashSet<>();
    /** Guarded by {@code lock}. */
    private boolean cut;
    /** Guarded by {@code lock}. */
    private boolean closed;
    private final AtomicInteger accepted = new AtomicInteger();

    private TcpProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        int number = PROXIES.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "tcp-proxy-" + number + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a proxy on 127.0.0.1 and a free port that forwards to {@code host:port}. */
    public static TcpProxy start(String host, int port) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, port), listener);
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    /** The host clients connect to: {@code 127.0.0.1}. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The proxy's port, fixed for its life. */
    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections clients have opened to the proxy so far, refused ones included. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** How many connections are open through the proxy now. */
    public int openConnections() {
        synchronized (lock) {
            return sockets.size() / 2;
        }
    }

    /**
     * Resets every connection through the proxy (the client sees "connection reset" at its next read or write)
     * and every new one until {@link #restore()}. Returns when all of them are closed.
     */
    public void cut() {
        List<Socket> open;
        synchronized (lock) {
            cut = true;
            open = List.copyOf(sockets);
            sockets.clear();
        }
        open.forEach(TcpProxy::reset);
    }

    /** Lets new connections through again; those cut stay closed. */
    public void restore() {
        synchronized (lock) {
            cut = false;
        }
    }

    /** Stops listening and resets every connection; waits at most {@link #CLOSE_TIMEOUT} for the threads. */
    @Override
    public void close() {
        List<Socket> open;
        synchronized (lock) {
            closed = true;
            open = List.copyOf(sockets);
            sockets.clear();
        }
        quietly(listener);
        open.forEach(TcpProxy::reset);
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the threads of the TCP proxy on port " + port()
                        + " did not end within " + CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            try {
                threads.execute(() -> connect(client));
            } catch (RuntimeException e) { // rejected: the proxy is closing
                reset(client);
                return;
            }
        }
    }

    private void connect(Socket client) {
        if (!isOpen()) {
            reset(client);
            return;
        }
        Socket server = new Socket();
        try {
            server.connect(target, Math.toIntExact(CONNECT_TIMEOUT.toMillis()));
        } catch (IOException e) {
            reset(client);
            quietly(server);
            return;
        }
        synchronized (lock) {
            if (cut || closed) {
                reset(client);
                reset(server);
                return;
            }
            sockets.add(client);
            sockets.add(server);
        }
        try {
            threads.execute(() -> pump(client, server));
            threads.execute(() -> pump(server, client));
        } catch (RuntimeException e) { // rejected: the proxy is closing
            drop(client, server);
        }
    }

    /** Copies bytes one way until either side ends; then closes both sides. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset or closed: the other pump or cut() ends the other side
        } finally {
            drop(from, to);
        }
    }

    private void drop(Socket a, Socket b) {
        synchronized (lock) {
            sockets.remove(a);
            sockets.remove(b);
        }
        quietly(a);
        quietly(b);
    }

    private boolean isOpen() {
        synchronized (lock) {
            return !cut && !closed;
        }
    }

    /** Closes with an RST instead of a FIN, so that the peer fails at once instead of reading end-of-stream. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        quietly(socket);
    }

    private static void quietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to do with a socket that failed to close
        }
    }
}
