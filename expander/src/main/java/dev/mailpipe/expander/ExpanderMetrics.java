package dev.mailpipe.expander;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The expander's own meters. Counted when a submission is processed; after a crash, Kafka Streams
 * may process a submission again (its first output aborted), so counts can run slightly ahead of
 * committed output — the topics, not the meters, are the record.
 */
public final class ExpanderMetrics {

    private final Counter emailsExpanded;
    private final Counter submissionsExpanded;
    private final Counter submissionsInvalid;
    private final Timer expansion;
    private final Counter emailsDropped;

    public ExpanderMetrics(final MeterRegistry registry) {
        emailsExpanded = Counter.builder("mailpipe.expander.emails.expanded")
                .description("Personalised emails written to mail.outbound")
                .register(registry);
        submissionsExpanded = Counter.builder("mailpipe.expander.submissions")
                .tag("outcome", "expanded")
                .description("Submissions read from mail.raw, by outcome")
                .register(registry);
        submissionsInvalid = Counter.builder("mailpipe.expander.submissions")
                .tag("outcome", "invalid")
                .description("Submissions read from mail.raw, by outcome")
                .register(registry);
        emailsDropped = Counter.builder("mailpipe.expander.emails.dropped")
                .description("Emails not written because the recipient is suppressed (a dropped event instead)")
                .register(registry);
        expansion = Timer.builder("mailpipe.expander.expansion")
                .description("Time to expand one submission into its emails")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** Meters nobody reads, for tests and tools. */
    public static ExpanderMetrics discarding() {
        return new ExpanderMetrics(new SimpleMeterRegistry());
    }

    void expanded(final int emails, final Duration took) {
        submissionsExpanded.increment();
        emailsExpanded.increment(emails);
        expansion.record(took);
    }

    void dropped() {
        emailsDropped.increment();
    }

    void invalid(final Duration took) {
        submissionsInvalid.increment();
        expansion.record(took);
    }
}
