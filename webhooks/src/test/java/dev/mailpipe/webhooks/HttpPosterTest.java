package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.webhooks.core.NetworkPolicy;
import dev.mailpipe.webhooks.http.HttpPoster;
import dev.mailpipe.webhooks.http.PostResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HttpPosterTest {

    private static InetAddress ip(final String s) {
        try {
            return InetAddress.getByName(s);
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldRefuseANameThatResolvesToAnInternalAddressWithoutConnecting() {
        try (HttpPoster poster = new HttpPoster(NetworkPolicy.allowing(List.of()), Duration.ofSeconds(1),
                host -> new InetAddress[] {ip("93.184.216.34"), ip("10.0.0.7")})) {
            final PostResult result = poster.post(URI.create("http://hooks.example/"), "text/plain", Map.of(), new byte[0]);

            assertThat(result).isInstanceOf(PostResult.Refused.class);
            assertThat(result.describe()).contains("hooks.example").contains("refused address 10.0.0.7");
        }
    }

    @Test
    void shouldPostToTheCheckedAddressAndReadTheStatus() throws Exception {
        final AtomicReference<String> request = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, ip("127.0.0.1"));
                HttpPoster poster = new HttpPoster(NetworkPolicy.allowing(List.of("127.0.0.1/32")), Duration.ofSeconds(2),
                        host -> new InetAddress[] {ip("127.0.0.1")})) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    final InputStream in = s.getInputStream();
                    final byte[] buffer = new byte[4096];
                    // the head and the body may arrive in separate segments: read the whole request
                    final StringBuilder received = new StringBuilder();
                    for (int n; !complete(received) && (n = in.read(buffer)) >= 0; ) {
                        received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    request.set(received.toString());
                    final OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (final IOException e) {
                    // test ends
                }
            });

            final PostResult result = poster.post(URI.create("http://hooks.example:" + server.getLocalPort() + "/sc?x=1"),
                    "application/x-www-form-urlencoded", Map.of("X-Extra", "1"), "a=b".getBytes(StandardCharsets.UTF_8));

            assertThat(result.ok()).as(result.describe()).isTrue();
            assertThat(request.get()).startsWith("POST /sc?x=1 HTTP/1.1\r\n")
                    .contains("Host: hooks.example:" + server.getLocalPort() + "\r\n")
                    .contains("Content-Length: 3\r\n").contains("X-Extra: 1\r\n").endsWith("\r\n\r\na=b");
        }
    }

    /** The head and the 3-byte body of the test's request are in. */
    private static boolean complete(final CharSequence request) {
        final int head = request.toString().indexOf("\r\n\r\n");
        return head >= 0 && request.length() >= head + 4 + 3;
    }

    @Test
    void shouldGiveUpOnAReceiverThatNeverAnswersWithinTheTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, ip("127.0.0.1"));
                HttpPoster poster = new HttpPoster(NetworkPolicy.allowing(List.of("127.0.0.0/8")), Duration.ofMillis(500))) {
            final long start = System.nanoTime();
            final PostResult result = poster.post(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"),
                    "text/plain", Map.of(), new byte[0]);

            assertThat(result).isInstanceOf(PostResult.Failed.class);
            assertThat(result.describe()).contains("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void shouldTreatARedirectAsAFailure() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, ip("127.0.0.1"));
                HttpPoster poster = new HttpPoster(NetworkPolicy.allowing(List.of("127.0.0.0/8")), Duration.ofSeconds(2))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.0 302 Found\r\nLocation: http://169.254.169.254/\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                } catch (final IOException e) {
                    // test ends
                }
            });
            final PostResult result = poster.post(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"),
                    "text/plain", Map.of(), new byte[0]);

            assertThat(result.ok()).isFalse();
            assertThat(result.describe()).isEqualTo("HTTP 302");
        }
    }
}
