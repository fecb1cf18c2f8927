package dev.mailpipe.webhooks.http;

import dev.mailpipe.webhooks.core.NetworkPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 POST over a socket to an address this class resolved and checked itself: the
 * URL's host is resolved, every address is checked against the {@link NetworkPolicy} and the
 * connection goes to exactly such a checked address, so a DNS answer that changes between check
 * and connect (rebinding) cannot reach a refused network. HTTPS verifies the certificate against
 * the host name (SNI, JDK trust store). One request per connection ({@code Connection: close});
 * redirects are not followed (a 3xx is a failure). The whole exchange, from the DNS lookup to the
 * status line, must finish within the timeout. Blocking: call it on a virtual thread.
 */
public final class HttpPoster implements AutoCloseable {

    /** Resolves a host name (a seam for tests). */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final int MAX_STATUS_LINE = 8_192;
    private static final int MAX_DRAIN = 65_536;

    private final NetworkPolicy policy;
    private final Duration timeout;
    private final Resolver resolver;
    /** Cuts a post at its deadline; a cancelled cut leaves the queue at once (one per post). */
    private final ScheduledThreadPoolExecutor watchdog = watchdog();

    public HttpPoster(final NetworkPolicy policy, final Duration timeout) {
        this(policy, timeout, InetAddress::getAllByName);
    }

    public HttpPoster(final NetworkPolicy policy, final Duration timeout, final Resolver resolver) {
        this.policy = policy;
        this.timeout = timeout;
        this.resolver = resolver;
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        final ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("webhook-timeouts").factory());
        watchdog.setRemoveOnCancelPolicy(true);
        return watchdog;
    }

    /** POSTs {@code body} to {@code url}; never throws for network trouble, it returns it. */
    public PostResult post(final URI url, final String contentType, final Map<String, String> headers, final byte[] body) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final boolean tls = "https".equalsIgnoreCase(url.getScheme());
        final String host = url.getHost();
        final int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        final List<InetAddress> addresses;
        try {
            addresses = checked(host);
        } catch (final UnknownHostException e) {
            return new PostResult.Failed("cannot resolve " + host);
        } catch (final RefusedException e) {
            return new PostResult.Refused(e.getMessage());
        }
        String lastError = "no address for " + host;
        for (final InetAddress address : addresses) {
            final long left = remainingMillis(deadline);
            if (left <= 0) {
                return new PostResult.Failed("timed out after " + timeout.toMillis() + " ms");
            }
            final Socket socket = new Socket();
            final ScheduledFuture<?> cut = watchdog.schedule(() -> closeQuietly(socket), left, TimeUnit.MILLISECONDS);
            try {
                socket.connect(new InetSocketAddress(address, port), (int) left);
            } catch (final IOException e) {
                cut.cancel(false);
                closeQuietly(socket);
                lastError = (remainingMillis(deadline) <= 0 ? "timed out connecting to " : "cannot connect to ")
                        + address.getHostAddress() + ":" + port + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
                continue;
            }
            try {
                return exchange(tls ? tls(socket, host, port) : socket, url, host, port, tls, contentType, headers, body,
                        deadline);
            } catch (final IOException e) {
                return new PostResult.Failed(remainingMillis(deadline) <= 0 || e instanceof SocketTimeoutException
                        ? "timed out after " + timeout.toMillis() + " ms"
                        : "error talking to " + address.getHostAddress() + ":" + port + ": " + e.getMessage());
            } finally {
                cut.cancel(false);
                closeQuietly(socket);
            }
        }
        return new PostResult.Failed(lastError);
    }

    private List<InetAddress> checked(final String host) throws UnknownHostException, RefusedException {
        final String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        final InetAddress[] all = resolver.resolve(bare);
        final List<InetAddress> addresses = new ArrayList<>();
        for (final InetAddress a : all) {
            final Optional<String> refusal = policy.refusal(a);
            if (refusal.isPresent()) {
                // One refused answer refuses the host: an attacker's name may mix public and internal addresses.
                throw new RefusedException(host + ": " + refusal.get());
            }
            addresses.add(a);
        }
        return addresses;
    }

    private static Socket tls(final Socket plain, final String host, final int port) throws IOException {
        final SSLSocket socket = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, host, port, true);
        final SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }

    private PostResult exchange(final Socket socket, final URI url, final String host, final int port, final boolean tls,
            final String contentType, final Map<String, String> headers, final byte[] body, final long deadline)
            throws IOException {
        final String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        final StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(port == (tls ? 443 : 80) ? "" : ":" + port).append("\r\n")
                .append("User-Agent: mailpipe-webhooks\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        final OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        final InputStream in = socket.getInputStream();
        socket.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
        final String statusLine = readLine(in);
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].toUpperCase(Locale.ROOT).startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
            return new PostResult.Failed("not an HTTP response: " + statusLine);
        }
        drain(in, deadline, socket);
        return new PostResult.Answered(Integer.parseInt(parts[1]));
    }

    private static String readLine(final InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (line.size() >= MAX_STATUS_LINE) {
                throw new IOException("status line too long");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            throw new IOException("connection closed without a response");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads what is left of the response (headers, then Content-Length bytes or up to the close;
     * bounded), so the receiver is not reset mid-write. Errors here do not change the status.
     */
    private static void drain(final InputStream in, final long deadline, final Socket socket) {
        try {
            long length = -1;
            String header;
            while (!(header = readLine(in)).isEmpty()) {
                final int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).strip().equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(header.substring(colon + 1).strip());
                }
            }
            final byte[] buffer = new byte[4_096];
            long total = 0;
            final long limit = length < 0 ? MAX_DRAIN : Math.min(length, MAX_DRAIN);
            while (total < limit && remainingMillis(deadline) > 0) {
                socket.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
                final int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (final IOException | RuntimeException e) {
            // the status is what counts
        }
    }

    private static long remainingMillis(final long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static void closeQuietly(final Socket socket) {
        try {
            socket.close();
        } catch (final IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    private static final class RefusedException extends Exception {
        RefusedException(final String message) {
            super(message);
        }
    }
}
