package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.platform.limits.ClusterRateLimiter;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Web API applies SMTP ingest's rules (Java's HttpClient, a real in-JVM Kafka): one rate
 * budget per account shared with another replica's {@link ClusterRateLimiter} (the class SMTP
 * ingest counts with), sender domains enforced from {@code mail.domains}, SMTP's SIZE for the
 * whole request, failed logins throttled per client address.
 */
class ApiGuardsIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "k3yOfTheShop0123456789abcdefABCD";
    private static final String BRAND_KEY = "k3yOfTheBrand123456789abcdefABCD";
    private static final String LOCK_KEY = "k3yOfTheLock0123456789abcdefABCD";
    private static final int LIMIT = 5;
    /** One fixed minute for every limiter, so the budget cannot roll over mid-test. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T10:00:30Z"), ZoneOffset.UTC);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static WebApp web;
    private static String url;

    @BeforeAll
    static void start() {
        final String bootstrap = KAFKA.bootstrapServers();
        TopicProvisioner.ensure(bootstrap, 1, List.of(AccountStore.topicSpec(), ClusterRateLimiter.topicSpec(),
                CompactedTable.topicSpec(Topics.DOMAINS.name())));
        try (AccountStore accounts = AccountStore.start(bootstrap, "test-accounts")) {
            accounts.ensure("shop", KEY);
            accounts.ensure("brand", BRAND_KEY);
            accounts.ensure("lock", LOCK_KEY);
        }
        try (CompactedTable<SenderDomain> domains = CompactedTable.start(bootstrap, "test-domains",
                Topics.DOMAINS.name(), Topics.DOMAINS.valueSerde())) {
            for (final var owned : Map.of("shop.example", "shop", "brand.example", "brand", "lock.example", "lock")
                    .entrySet()) {
                domains.put(owned.getKey(), SenderDomain.newBuilder().setDomain(owned.getKey())
                        .setApiUser(owned.getValue()).setCreatedAt(CLOCK.instant()).setUpdatedAt(CLOCK.instant())
                        .build());
            }
        }
        web = WebApp.start(new WebConfig(Map.ofEntries(
                Map.entry("bootstrap.servers", bootstrap),
                Map.entry("topic.replication.factor", "1"),
                Map.entry("topic.partitions", "2"),
                Map.entry("web.host", "127.0.0.1"),
                Map.entry("web.port", "0"),
                Map.entry("instance.id", "replica-a"),
                Map.entry("sender.domains", "enforce"),
                Map.entry("rate.limit.per.minute", String.valueOf(LIMIT)),
                Map.entry("rate.limit.sync.ms", "100"),
                Map.entry("smtp.max.message.bytes", "65536"),
                Map.entry("web.api.auth.max.failures", "3"),
                // the test's own X-Forwarded-For tells the client addresses apart
                Map.entry("web.trusted.proxies", "127.0.0.1/32"),
                Map.entry("tracking.secret", TestTokens.newSecret("k1")))), new SimpleMeterRegistry(), CLOCK);
        url = "http://127.0.0.1:" + web.port() + "/apiv2/mail/send";
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
    }

    @Test
    void oneRateBudgetPerAccountAcrossTheApiAndAnotherReplica() throws Exception {
        final ClusterRateLimiter webShare = web.rateLimiter().orElseThrow();
        try (ClusterRateLimiter smtpReplica = ClusterRateLimiter.start(KAFKA.bootstrapServers(), "ingest-b", LIMIT,
                Duration.ofMillis(100), CLOCK)) {
            // two calls through the API ...
            for (int i = 0; i < 2; i++) {
                assertThat(send("198.51.100.1", "shop", KEY, "news@shop.example", "x").statusCode()).isEqualTo(200);
            }
            // ... leave the other replica exactly the rest of the minute's budget
            await().atMost(Duration.ofSeconds(30)).until(() -> smtpReplica.remoteCount("shop") == 2);
            int admitted = 0;
            for (int i = 0; i < LIMIT; i++) {
                admitted += smtpReplica.tryAcquire("shop") ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(LIMIT - 2);
            // and once the API's replica has heard of them, it refuses with SendCloud's 429
            await().atMost(Duration.ofSeconds(30)).until(() -> webShare.remoteCount("shop") == LIMIT - 2);
            final HttpResponse<String> over = send("198.51.100.1", "shop", KEY, "news@shop.example", "x");
            assertThat(over.statusCode()).isEqualTo(429);
            final JsonNode body = JSON.readTree(over.body());
            assertThat(body.get("result").asBoolean()).isFalse();
            assertThat(body.get("statusCode").asInt()).isEqualTo(429);
            assertThat(body.get("message").asText()).startsWith("Frequency limited");
            // another account's budget is its own
            assertThat(send("198.51.100.1", "brand", BRAND_KEY, "news@brand.example", "x").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aSenderDomainNotRegisteredToTheAccountIs403() throws Exception {
        final HttpResponse<String> foreign = send("198.51.100.2", "brand", BRAND_KEY, "news@shop.example", "x");
        assertThat(foreign.statusCode()).isEqualTo(403);
        final JsonNode body = JSON.readTree(foreign.body());
        assertThat(body.get("result").asBoolean()).isFalse();
        assertThat(body.get("message").asText()).contains("shop.example").contains("not registered");
        assertThat(send("198.51.100.2", "brand", BRAND_KEY, "news@unknown.example", "x").statusCode())
                .isEqualTo(403);
        // a subdomain of its own registered domain is the account's
        assertThat(send("198.51.100.2", "brand", BRAND_KEY, "Brand <news@mail.brand.example>", "x").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aRequestOverSmtpSizeIs413WithoutEchoingTheKey() throws Exception {
        final HttpResponse<String> big = send("198.51.100.3", "brand", BRAND_KEY, "news@brand.example",
                "y".repeat(70_000));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).doesNotContain(BRAND_KEY);
    }

    @Test
    void failedLoginsFromAnAddressAreThrottledEvenWithTheRightKeyThenOtherAddressesAreNot() throws Exception {
        for (int i = 0; i < 3; i++) {
            final HttpResponse<String> wrong = send("203.0.113.9", "lock", "guess-" + i, "n@lock.example", "x");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("guess-" + i);
        }
        final HttpResponse<String> blocked = send("203.0.113.9", "lock", LOCK_KEY, "n@lock.example", "x");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(blocked.body()).get("message").asText()).contains("failed logins");
        assertThat(send("203.0.113.10", "lock", LOCK_KEY, "n@lock.example", "x").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(final String clientAddress, final String apiUser, final String apiKey,
            final String from, final String html) throws Exception {
        final Map<String, String> form = new LinkedHashMap<>();
        form.put("apiUser", apiUser);
        form.put("apiKey", apiKey);
        form.put("from", from);
        form.put("to", "someone@receiver.example");
        form.put("subject", "guards");
        form.put("html", html);
        final String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Forwarded-For", clientAddress)
                        // as curl does for large bodies: a refusal by size arrives before the body is sent
                        // (without it, a server that refuses early may close while the client still writes)
                        .expectContinue(body.length() > 1024)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
