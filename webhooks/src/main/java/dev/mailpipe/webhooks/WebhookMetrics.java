package dev.mailpipe.webhooks;

import dev.mailpipe.schemas.Webhook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per endpoint (tags {@code webhook} = id, {@code account}): {@code mailpipe.webhooks.sent} (events
 * a receiver took with 2xx), {@code .failed} (events of failed posts, including refused and
 * circuit-open ones), {@code .retrying} (written to a retry topic), {@code .dead} (written to the
 * dead-letter topic) and the timer {@code mailpipe.webhooks.latency} of each POST.
 */
final class WebhookMetrics {

    private final MeterRegistry registry;

    WebhookMetrics(final MeterRegistry registry) {
        this.registry = registry;
    }

    private static Tags tags(final String webhookId, final String account) {
        return Tags.of("webhook", webhookId, "account", account);
    }

    private Counter counter(final String name, final String description, final Webhook hook) {
        return Counter.builder(name).description(description).tags(tags(hook.getId(), hook.getApiUser()))
                .register(registry);
    }

    void sent(final Webhook hook, final int events) {
        counter("mailpipe.webhooks.sent", "Events a receiver acknowledged with 2xx", hook).increment(events);
    }

    void failed(final Webhook hook, final int events) {
        counter("mailpipe.webhooks.failed", "Events whose post failed (non-2xx, timeout, refused, circuit open)", hook)
                .increment(events);
    }

    void retrying(final Webhook hook) {
        counter("mailpipe.webhooks.retrying", "Events written to a retry topic", hook).increment();
    }

    void dead(final Webhook hook) {
        counter("mailpipe.webhooks.dead", "Events written to mail.webhooks.dlt after the last retry", hook).increment();
    }

    void latency(final Webhook hook, final Duration elapsed) {
        Timer.builder("mailpipe.webhooks.latency").description("Time of one POST to the receiver's answer")
                .tags(tags(hook.getId(), hook.getApiUser())).register(registry).record(elapsed);
    }
}
