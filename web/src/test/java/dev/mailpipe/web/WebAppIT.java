package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web service against a real in-JVM Kafka, driven by real HTTP clients (curl, Python requests,
 * the JDK's client): the pixel, the followed click, RFC 8058 one-click, forged tokens, slow clients
 * and a Kafka outage.
 */
class WebAppIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String SECRET = TestTokens.newSecret("k2") + "," + TestTokens.newSecret("k1");
    private static final String PYTHON = "/usr/bin/python3";

    private static WebApp web;
    private static HttpServer landing;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        web = WebApp.start(new WebConfig(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.replication.factor", "1",
                "topic.partitions", "2",
                "web.host", "127.0.0.1",
                "web.port", "0",
                "web.request.deadline.ms", "1500",
                "web.idle.timeout.ms", "2000",
                "web.read.timeout.ms", "3000",
                "tracking.secret", SECRET)), new SimpleMeterRegistry());
        base = web.publicUrl();
        // Where the click leads: a page of our own, so "follows the click" really arrives somewhere.
        landing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        landing.createContext("/", exchange -> {
            final byte[] body = ("landed " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        landing.start();
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
        if (landing != null) {
            landing.stop(0);
        }
    }

    @Test
    void realClientsFetchThePixelFollowTheClickAndUnsubscribeInOneClick() throws Exception {
        final String recipient = "Reader." + System.nanoTime() + "@Example.org";
        final String target = "http://127.0.0.1:" + landing.getAddress().getPort() + "/sale?utm=mail&id=42";
        final String open = base + "/o/" + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.OPEN, recipient, null));
        final String click = base + "/c/"
                + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.CLICK, recipient, target));
        final String unsubscribe = base + "/u/"
                + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.UNSUBSCRIBE, recipient, null));

        // curl: the pixel (43-byte GIF, no-store) and the click followed to its page.
        final String pixel = run("curl", "-sS", "-A", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "-H", "X-Forwarded-For: 203.0.113.66", "-D", "-", "-o", "/dev/null",
                "-w", "%{size_download} %{content_type}", open);
        assertThat(pixel).containsIgnoringCase("cache-control: no-store").endsWith("43 image/gif");
        assertThat(run("curl", "-sS", "-L", click)).isEqualTo("landed /sale?utm=mail&id=42");

        // Python requests: the 302 itself, the confirmation page (changes nothing), one-click POST.
        final String script = String.join("\n",
                "import requests, sys",
                "r = requests.get(sys.argv[1], allow_redirects=False, timeout=10)",
                "print(r.status_code, r.headers['Location'])",
                "p = requests.get(sys.argv[2], timeout=10)",
                "print(p.status_code, 'List-Unsubscribe' in p.text and 'method=\"post\"' in p.text)",
                "u = requests.post(sys.argv[2], data={'List-Unsubscribe': 'One-Click'}, timeout=10)",
                "print(u.status_code, 'no more emails' in u.text)");
        assertThat(run(PYTHON, "-c", script, click, unsubscribe).lines().toList())
                .containsExactly("302 " + target, "200 True", "200 True");

        try (TopicCollector<String, DeliveryEvent> events = KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(),
                new StringDeserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer());
                TopicCollector<String, Suppression> suppressions = KAFKA.cluster().collector(
                        Topics.SUPPRESSIONS.name(), new StringDeserializer(),
                        Topics.SUPPRESSIONS.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> mine(events.poll(), recipient).size() >= 4);
            final List<DeliveryEvent> mine = mine(events.poll(), recipient);
            assertThat(mine).extracting(DeliveryEvent::getType)
                    .containsExactlyInAnyOrder(EventType.open, EventType.click, EventType.click, EventType.unsubscribe);
            final DeliveryEvent opened = mine.stream().filter(e -> e.getType() == EventType.open).findFirst().get();
            assertThat(opened.getExplorerName()).isEqualTo("Chrome");
            assertThat(opened.getExplorerVer()).isEqualTo("131.0.0.0");
            assertThat(opened.getOsName()).isEqualTo("Windows");
            assertThat(opened.getOsVer()).isEqualTo("10");
            // No trusted proxies configured: a client's X-Forwarded-For is not believed.
            assertThat(opened.getIp()).isEqualTo("127.0.0.1");
            assertThat(opened.getMachineOpen()).isFalse();
            assertThat(opened.getMessageId()).isEqualTo("msg-1");
            assertThat(opened.getApiUser()).isEqualTo("acct");
            assertThat(opened.getLabel()).isEqualTo("7");
            assertThat(opened.getMailListTaskId()).isEqualTo("task-9");
            assertThat(opened.getCustomHeaders()).containsEntry("SC-Custom-campaign", "spring");
            assertThat(opened.getEventId()).isNotBlank();
            assertThat(mine).filteredOn(e -> e.getType() == EventType.click)
                    .allSatisfy(e -> assertThat(e.getUrl()).isEqualTo(target))
                    .extracting(DeliveryEvent::getExplorerName).containsExactlyInAnyOrder("curl", "python-requests");

            await().atMost(Duration.ofSeconds(30)).until(() -> suppressions.poll().stream()
                    .anyMatch(r -> r.key().equals(SuppressionKey.of("acct", recipient))));
            final Suppression s = suppressions.values().stream()
                    .filter(v -> v.getAddress().equals(SuppressionKey.normalise(recipient))).findFirst().get();
            assertThat(s.getReason()).isEqualTo(SuppressionReason.unsubscribe);
            assertThat(s.getApiUser()).isEqualTo("acct");
            assertThat(s.getSource()).isEqualTo("msg-10$" + recipient);
        }
    }

    @Test
    void forgedTamperedAndMisdirectedTokensAnswer404AndRecordNothing() throws Exception {
        final String recipient = "forged." + System.nanoTime() + "@example.org";
        final String otherSecret = TestTokens.newSecret("k2");
        final String foreign = TestTokens.sign(otherSecret,
                TestTokens.token(TrackingKind.CLICK, recipient, "https://evil.example/"));
        final String genuineOpen = TestTokens.sign(SECRET, TestTokens.token(TrackingKind.OPEN, recipient, null));
        // a character well inside the signature: the last base64 character may carry only padding bits
        final int at = genuineOpen.length() - 4;
        final char was = genuineOpen.charAt(at);
        final String tampered = genuineOpen.substring(0, at) + (was == 'A' ? 'B' : 'A') + genuineOpen.substring(at + 1);
        final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        for (final String path : List.of("/c/" + foreign, "/o/" + tampered, "/c/" + genuineOpen, "/u/" + genuineOpen,
                "/o/not-a-token", "/c/")) {
            final HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(res.headers().firstValue("Location")).as(path).isEmpty();
        }
        final HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/u/" + genuineOpen))
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click"))
                .header("Content-Type", "application/x-www-form-urlencoded").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
        // A marker after the forged requests: once it is on the topic, nothing of theirs came before it.
        final String marker = "marker." + System.nanoTime() + "@example.org";
        client.send(HttpRequest.newBuilder(URI.create(base + "/o/"
                + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.OPEN, marker, null)))).build(),
                HttpResponse.BodyHandlers.discarding());
        try (TopicCollector<String, DeliveryEvent> events = KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(),
                new StringDeserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !mine(events.poll(), marker).isEmpty());
            assertThat(mine(events.poll(), recipient)).isEmpty();
        }
    }

    @Test
    void theUnsubscribePageChangesNothingAndAPostWithoutOneClickIsRefused() throws Exception {
        final String recipient = "scanner." + System.nanoTime() + "@example.org";
        final String unsubscribe = base + "/u/"
                + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.UNSUBSCRIBE, recipient, null));
        final HttpClient client = HttpClient.newHttpClient();
        final HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(unsubscribe)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(recipient).contains("<form method=\"post\"");
        final HttpResponse<String> empty = client.send(HttpRequest.newBuilder(URI.create(unsubscribe))
                .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(empty.statusCode()).isEqualTo(400);
        final String marker = "marker." + System.nanoTime() + "@example.org";
        client.send(HttpRequest.newBuilder(URI.create(base + "/o/"
                + TestTokens.sign(SECRET, TestTokens.token(TrackingKind.OPEN, marker, null)))).build(),
                HttpResponse.BodyHandlers.discarding());
        try (TopicCollector<String, DeliveryEvent> events = KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(),
                new StringDeserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !mine(events.poll(), marker).isEmpty());
            assertThat(mine(events.poll(), recipient)).isEmpty();
        }
    }

    @Test
    void aClientThatTricklesItsHeadersIsCutOffAtTheRequestDeadline() throws Exception {
        // The first line arrived, the headers never end: the 1.5 s request deadline closes it.
        assertThat(secondsUntilCutOff("GET /o/x HTTP/1.1\r\nHost: a\r\n")).isLessThan(6);
    }

    @Test
    void aClientThatTricklesItsFirstLineIsCutOffAtTheIdleTimeout() throws Exception {
        // The first line never ends: the 2 s idle timeout closes it.
        assertThat(secondsUntilCutOff("GET /o/")).isLessThan(7);
    }

    /** Sends {@code head}, then one more byte every 200 ms; the seconds until the server closes. */
    private static long secondsUntilCutOff(final String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", web.port())) {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    out.write('X');
                    out.flush();
                    TimeUnit.MILLISECONDS.sleep(200);
                    cut = socket.getInputStream().available() > 0;
                } catch (final IOException e) {
                    cut = true;
                }
            }
            if (!cut) {
                try {
                    cut = socket.getInputStream().read() < 0;
                } catch (final IOException e) {
                    cut = true;
                }
            }
            assertThat(cut).as("connection closed by the server").isTrue();
            return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        }
    }

    @Test
    void aClientThatSendsNothingIsDisconnectedAfterTheReadTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", web.port())) {
            socket.setSoTimeout(15_000);
            final long start = System.nanoTime();
            final InputStream in = socket.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(6);
        }
    }

    @Test
    void aPortAlreadyTakenFailsTheStartInsteadOfServingNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            final WebConfig config = new WebConfig(Map.of(
                    "bootstrap.servers", KAFKA.bootstrapServers(),
                    "web.host", "127.0.0.1",
                    "web.port", String.valueOf(taken.getLocalPort()),
                    "tracking.secret", SECRET));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebApp.serve(config, new SimpleMeterRegistry(),
                    WebApp.producer(KAFKA.bootstrapServers()), Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aKafkaOutageNeverBreaksARedirect() throws Exception {
        final int dead;
        try (ServerSocket unused = new ServerSocket(0)) {
            dead = unused.getLocalPort();
        }
        final WebApp offline = WebApp.serve(new WebConfig(Map.of(
                "bootstrap.servers", "127.0.0.1:" + dead,
                "web.host", "127.0.0.1",
                "web.port", "0",
                "web.outbox.capacity", "3",
                "tracking.secret", SECRET)), new SimpleMeterRegistry(), WebApp.producer("127.0.0.1:" + dead),
                Clock.systemUTC());
        try {
            final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            final List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                final String click = offline.publicUrl() + "/c/" + TestTokens.sign(SECRET,
                        TestTokens.token(TrackingKind.CLICK, "r" + i + "@example.org", "https://example.com/" + i));
                final long start = System.nanoTime();
                final HttpResponse<Void> res = client.send(HttpRequest.newBuilder(URI.create(click))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                assertThat(res.statusCode()).isEqualTo(302);
                assertThat(res.headers().firstValue("Location")).hasValue("https://example.com/" + i);
            }
            // Buffered up to the bound, the rest refused (counted), none of it slowed a redirect.
            assertThat(offline.pendingEvents()).isEqualTo(3);
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(1_000));
        } finally {
            offline.close();
        }
    }

    private static List<DeliveryEvent> mine(final List<ConsumerRecord<String, DeliveryEvent>> records,
            final String recipient) {
        return records.stream().map(ConsumerRecord::value).filter(e -> recipient.equals(e.getRecipient())).toList();
    }

    private static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out.strip();
    }
}
