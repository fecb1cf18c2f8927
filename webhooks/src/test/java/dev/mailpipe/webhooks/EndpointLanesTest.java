package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.schemas.WebhookFormat;
import dev.mailpipe.webhooks.core.CircuitBreaker;
import dev.mailpipe.webhooks.http.PostResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointLanesTest {

    private static final Webhook HOOK = Webhook.newBuilder().setId("wh_1").setApiUser("acme")
            .setUrl("http://receiver.test/").setEvents(List.of()).setAppKey("key").setFormat(WebhookFormat.form)
            .setCreatedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofMinutes(3), Duration.ofMinutes(10)));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private EndpointLanes lanes(final EndpointLanes.Transport transport, final int concurrency, final int maxQueue,
            final int failures) {
        return lanes(transport, concurrency, maxQueue, failures, Duration.ofSeconds(1));
    }

    private EndpointLanes lanes(final EndpointLanes.Transport transport, final int concurrency, final int maxQueue,
            final int failures, final Duration slowPost) {
        final WebhookMetrics metrics = new WebhookMetrics(registry);
        return new EndpointLanes(id -> id.equals(HOOK.getId()) ? Optional.of(HOOK) : Optional.empty(), transport,
                new Settler(producer, schedule, metrics, Clock.systemUTC()), metrics, workers, Clock.systemUTC(),
                new EndpointLanes.Limits(concurrency, maxQueue, 100, failures, Duration.ofHours(1), slowPost));
    }

    private static Delivery delivery(final int n, final int attempt) {
        final DeliveryEvent event = DeliveryEvent.newBuilder().setType(EventType.delivered).setMessageId("m" + n)
                .setEmailId("m" + n + "0$a@b.test").setApiUser("acme").setTimestamp(Instant.ofEpochMilli(n))
                .setEventId("e" + n).build();
        return Delivery.of(HOOK.getId(), "deliver", event,
                Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("t", event), attempt);
    }

    private static String header(final ProducerRecord<String, byte[]> r, final String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldStopConnectingToAnEndpointOnceItsCircuitOpened() {
        final AtomicInteger calls = new AtomicInteger();
        final EndpointLanes lanes = lanes((url, request) -> {
            calls.incrementAndGet();
            return new PostResult.Failed("connection refused");
        }, 1, 100, 3);
        final List<Delivery> all = IntStream.range(0, 10).mapToObj(n -> delivery(n, 1)).toList();

        all.forEach(lanes::submit);

        await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(d -> d.settled().isDone()));
        assertThat(calls).hasValue(3);
        assertThat(lanes.circuit(HOOK.getId())).contains(CircuitBreaker.State.OPEN);
        assertThat(producer.history()).hasSize(10).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("mail.webhooks.retry-3m");
            assertThat(header(r, RetryHeaders.ATTEMPT)).isEqualTo("2");
        });
        assertThat(producer.history()).extracting(r -> header(r, RetryHeaders.ERROR))
                .contains("connection refused", "circuit open after repeated failures");
        assertThat(registry.get("mailpipe.webhooks.failed").counter().count()).isEqualTo(10.0);
    }

    @Test
    void shouldParkWhatExceedsTheQueueOfASlowEndpointInTheFirstStageWithoutUsingAnAttempt() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        final EndpointLanes lanes = lanes((url, request) -> {
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new PostResult.Answered(200);
        }, 1, 2, 5, Duration.ofMillis(100));
        lanes.submit(delivery(99, 1));
        Thread.sleep(300); // its post hangs: the lane is slow
        final List<Delivery> all = IntStream.range(0, 4).mapToObj(n -> delivery(n, 1)).toList();

        all.forEach(lanes::submit);

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
        assertThat(producer.history()).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("mail.webhooks.retry-3m");
            assertThat(header(r, RetryHeaders.ATTEMPT)).isEqualTo("1");
        });
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(d -> d.settled().isDone()));
        assertThat(registry.get("mailpipe.webhooks.sent").counter().count()).isEqualTo(3.0);
    }

    @Test
    void shouldQueueBeyondTheLimitForAFastEndpointAndReportItSaturated() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        final EndpointLanes lanes = lanes((url, request) -> {
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new PostResult.Answered(200);
        }, 1, 2, 5, Duration.ofSeconds(30));
        final List<Delivery> all = IntStream.range(0, 6).mapToObj(n -> delivery(n, 1)).toList();

        all.forEach(lanes::submit);

        assertThat(lanes.saturated(1.0)).isTrue();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(d -> d.settled().isDone()));
        assertThat(producer.history()).isEmpty();
        assertThat(lanes.saturated(0.5)).isFalse();
    }

    @Test
    void shouldDeadLetterAnEventWhoseLastRetryFailed() {
        final EndpointLanes lanes = lanes((url, request) -> new PostResult.Answered(503), 1, 10, 5);
        final Delivery last = delivery(1, 3);

        lanes.submit(last);

        await().atMost(Duration.ofSeconds(10)).until(() -> last.settled().isDone());
        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(Topics.WEBHOOKS_DLT.name());
            assertThat(r.key()).isEqualTo(HOOK.getId());
            assertThat(header(r, RetryHeaders.ERROR)).isEqualTo("gave up after 3 attempt(s); last: HTTP 503");
            assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("gave up after 3 attempt(s); last: HTTP 503");
        });
    }

    @Test
    void shouldDropEventsOfARemovedEndpoint() {
        final EndpointLanes lanes = lanes((url, request) -> new PostResult.Answered(200), 1, 10, 5);
        final Delivery orphan = Delivery.of("wh_gone", "deliver", delivery(1, 1).event(), new byte[0], 1);

        lanes.submit(orphan);

        await().atMost(Duration.ofSeconds(10)).until(() -> orphan.settled().isDone());
        assertThat(producer.history()).isEmpty();
    }
}
