package dev.mailpipe.platform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The HTTP endpoints Kubernetes and Prometheus need: {@code /metrics} (Prometheus text format),
 * {@code /healthz} (liveness: the process serves HTTP and is not shutting down) and
 * {@code /readyz} (readiness: the app says it can do its work, e.g. Kafka reachable).
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(final HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code host:port} (port 0 = any free port).
     *
     * @param live  false once the app is broken beyond repair (Kubernetes restarts it)
     * @param ready true while the app should receive traffic
     */
    public static OpsServer start(final String host, final int port, final PrometheusMeterRegistry registry,
            final BooleanSupplier live, final BooleanSupplier ready) {
        try {
            final HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/metrics", exchange ->
                    respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            server.createContext("/healthz", exchange -> status(exchange, live.getAsBoolean()));
            server.createContext("/readyz", exchange -> status(exchange, ready.getAsBoolean()));
            server.start();
            return new OpsServer(server);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot serve metrics/health on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void status(final HttpExchange exchange, final boolean ok) throws IOException {
        respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "unavailable\n");
    }

    private static void respond(final HttpExchange exchange, final int code, final String type, final String body)
            throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
