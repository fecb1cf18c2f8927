package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.EventType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Argument handling; every case here fails before any Kafka client is created. */
class EventsCliTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args) {
        // an address nothing listens on: a case that reached Kafka would fail with 1, not 2
        return EventsCli.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"), Clock.fixed(NOW, ZoneOffset.UTC),
                new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void shouldRejectAnUnknownEventType() {
        assertThat(run("--from-beginning", "--type", "delivered,opened")).isEqualTo(2);
        assertThat(err.toString()).contains("opened").contains("--type").contains("--help");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldRejectAnUnparsableSince() {
        assertThat(run("--since", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("--since").contains("yesterday");
    }

    @Test
    void shouldRejectFromBeginningTogetherWithSince() {
        assertThat(run("--from-beginning", "--since", "1h")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void shouldRejectANonPositiveMax() {
        assertThat(run("--from-beginning", "--max", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--max");
    }

    @Test
    void shouldRejectANonNumericMax() {
        assertThat(run("--max", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--max");
    }

    @Test
    void shouldRejectABadTimeout() {
        assertThat(run("--from-beginning", "--timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--timeout");
    }

    @Test
    void shouldRejectAnUnknownOption() {
        assertThat(run("--group", "analytics")).isEqualTo(2);
        assertThat(err.toString()).contains("--group");
    }

    @Test
    void shouldPrintUsageWithHelpAndExitZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--from-beginning", "--since", "--follow", "--type", "--message-id",
                "--email-id", "--api-user", "--max", "--bootstrap-servers");
    }

    @Test
    void shouldParseSinceAsDurationBeforeNowOrAsInstant() {
        assertThat(StartPosition.since("1h", NOW).since()).isEqualTo(Instant.parse("2026-11-23T11:00:00Z"));
        assertThat(StartPosition.since("90m", NOW).since()).isEqualTo(Instant.parse("2026-11-23T10:30:00Z"));
        assertThat(StartPosition.since("2026-11-20T08:00:00Z", NOW).since())
                .isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
    }

    @Test
    void shouldMatchEventsOnEveryGivenCriterion() {
        final EventFilter filter = new EventFilter(Set.of(EventType.delivered, EventType.bounced), "m-1", null, "shop");
        final var base = EventJsonTest.minimal().setMessageId("m-1").setApiUser("shop");

        assertThat(filter.test(base.setType(EventType.delivered).build())).isTrue();
        assertThat(filter.test(base.setType(EventType.deferred).build())).isFalse();
        assertThat(filter.test(base.setType(EventType.bounced).setApiUser("other").build())).isFalse();
        assertThat(filter.test(base.setApiUser("shop").setMessageId("m-2").build())).isFalse();
        assertThat(new EventFilter(Set.of(), null, "m-1.3", null)
                .test(base.setMessageId("m-1").setEmailId("m-1.3").build())).isTrue();
    }

    @Test
    void shouldExitOneNamingTheClusterWhenKafkaIsUnreachable() {
        assertThat(run("--from-beginning", "--timeout", "1s")).isEqualTo(1);
        assertThat(err.toString()).contains("Kafka at 127.0.0.1:1");
    }
}
