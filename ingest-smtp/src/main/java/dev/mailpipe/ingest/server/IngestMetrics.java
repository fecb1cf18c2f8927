package dev.mailpipe.ingest.server;

import dev.mailpipe.core.smtp.SmtpReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The ingest server's meters: accepted, rejected by reason, accept latency, open connections. */
public final class IngestMetrics {

    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter acceptedBytes;
    private final Timer acceptLatency;
    private final Counter connections;
    private final Counter connectionsRefused;
    private final Counter connectionsEvicted;
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();

    public IngestMetrics(final MeterRegistry registry, final Supplier<Number> openConnections) {
        this.registry = registry;
        this.accepted = Counter.builder("mailpipe.ingest.accepted").description("Messages queued to mail.raw").register(registry);
        this.acceptedBytes = Counter.builder("mailpipe.ingest.accepted.bytes").baseUnit("bytes").register(registry);
        this.acceptLatency = Timer.builder("mailpipe.ingest.accept.latency")
                .description("From the end of DATA to the 250 Queued reply (Kafka acknowledgement)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.connections = Counter.builder("mailpipe.ingest.connections").register(registry);
        this.connectionsRefused = Counter.builder("mailpipe.ingest.connections.refused").register(registry);
        this.connectionsEvicted = Counter.builder("mailpipe.ingest.connections.evicted")
                .description("Idle unauthenticated connections closed to make room near the connection cap")
                .register(registry);
        Gauge.builder("mailpipe.ingest.connections.open", openConnections).register(registry);
    }

    void accepted(final long bytes, final long nanos) {
        accepted.increment();
        acceptedBytes.increment(bytes);
        acceptLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void connection() {
        connections.increment();
    }

    void connectionRefused() {
        connectionsRefused.increment();
    }

    void connectionEvicted() {
        connectionsEvicted.increment();
    }

    /** Counts an error reply under a reason derived from its code and enhanced status. */
    void rejected(final SmtpReply reply) {
        final String reason = reason(reply);
        rejected.computeIfAbsent(reason, r -> Counter.builder("mailpipe.ingest.rejected")
                .description("Error replies sent, by reason").tag("reason", r).register(registry)).increment();
    }

    static String reason(final SmtpReply reply) {
        final String text = reply.lines().get(reply.lines().size() - 1);
        if (text.contains("xsmtpapi error")) {
            return "xsmtpapi";
        }
        if (reply.code() == 550 && text.contains("is not registered to this account")) {
            return "sender_domain";
        }
        return switch (reply.code()) {
            case 421 -> text.contains("Timeout") ? "timeout" : text.contains("errors") ? "too_many_errors" : "unavailable";
            case 451 -> "queue_failed";
            case 452 -> "too_many_recipients";
            case 454 -> text.contains("authentication") ? "auth_throttled" : "tls_unavailable";
            case 530 -> text.contains("STARTTLS") ? "tls_required" : "auth_required";
            case 535 -> "auth_failed";
            case 536 -> "rate_limited";
            case 552 -> "too_large";
            case 554 -> text.contains("bare") ? "bare_line_ending" : text.contains("line") ? "line_too_long" : "no_recipients";
            default -> reply.code() >= 500 && reply.code() < 510 ? "protocol" : "code_" + reply.code();
        };
    }
}
