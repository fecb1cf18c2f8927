package dev.mailpipe.webhooks;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.schemas.WebhookFormat;
import dev.mailpipe.webhooks.core.SendCloudEvents;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which endpoints a record is posted to: an event read from {@code mail.delivery-events} goes to
 * every endpoint of its account subscribed to its SendCloud name (attempt 1); a record from a retry
 * topic goes to the one endpoint in its headers, if that endpoint still exists and still wants it.
 */
final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final WebhookStore store;
    private final RetrySchedule schedule;
    private final Deserializer<DeliveryEvent> events = Topics.DELIVERY_EVENTS.valueSerde().deserializer();

    Router(final WebhookStore store, final RetrySchedule schedule) {
        this.store = store;
        this.schedule = schedule;
    }

    static boolean wants(final Webhook hook, final String eventName) {
        return hook.getFormat() != WebhookFormat.unknown
                && (hook.getEvents().isEmpty() || hook.getEvents().contains(eventName));
    }

    List<Delivery> route(final ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return List.of();
        }
        final boolean retry = schedule.stageOf(record.topic()).isPresent();
        if (!retry && store.isEmpty()) {
            // no endpoint anywhere: nothing to post, so not worth decoding (5 % of the services' CPU
            // in the fan-out bench went to decoding events for no one)
            return List.of();
        }
        final DeliveryEvent event;
        try {
            event = events.deserialize(record.topic(), record.value());
        } catch (final RuntimeException e) {
            LOG.warn("skipping unreadable event {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return List.of();
        }
        final Optional<String> name = SendCloudEvents.nameOf(event);
        if (name.isEmpty()) {
            return List.of();
        }
        if (!retry) {
            return store.ofAccount(event.getApiUser()).stream().filter(h -> wants(h, name.get()))
                    .map(h -> Delivery.of(h.getId(), name.get(), event, record.value(), 1)).toList();
        }
        final String id = RetryHeaders.text(record.headers(), RetryHeaders.WEBHOOK_ID).orElse(record.key());
        final int attempt = RetryHeaders.number(record.headers(), RetryHeaders.ATTEMPT).orElse(2L).intValue();
        final Optional<Webhook> hook = id == null ? Optional.empty() : store.get(id);
        if (hook.isEmpty() || !wants(hook.get(), name.get())) {
            return List.of();
        }
        return List.of(Delivery.of(id, name.get(), event, record.value(), attempt));
    }
}
