package dev.mailpipe.webhooks;

import dev.mailpipe.schemas.DeliveryEvent;
import java.util.concurrent.CompletableFuture;

/**
 * One event to post to one endpoint, on its {@code attempt} (1 = read from the events topic).
 * {@link #settled} completes once its outcome is durable: posted (2xx), written to a retry topic or
 * the dead-letter topic, or dropped (the endpoint is gone); it fails when that write failed.
 *
 * @param raw the event's bytes as read, forwarded unchanged to the retry and dead-letter topics
 */
record Delivery(String webhookId, String eventName, DeliveryEvent event, byte[] raw, int attempt,
        CompletableFuture<Void> settled) {

    static Delivery of(final String webhookId, final String eventName, final DeliveryEvent event, final byte[] raw,
            final int attempt) {
        return new Delivery(webhookId, eventName, event, raw, attempt, new CompletableFuture<>());
    }
}
