package dev.mailpipe.deliverer;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads mail.delivery-events in the background for the whole test class. */
final class EventCollector implements AutoCloseable {

    private final KafkaConsumer<String, DeliveryEvent> consumer;
    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    EventCollector(final Properties consumerProperties) {
        consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(),
                Topics.DELIVERY_EVENTS.valueSerde().deserializer());
        thread = Thread.ofPlatform().daemon().name("event-collector").start(this::run);
    }

    private void run() {
        try (consumer) {
            consumer.subscribe(List.of(Topics.DELIVERY_EVENTS.name()));
            while (running) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
            }
        } catch (final WakeupException e) {
            // closing
        }
    }

    List<DeliveryEvent> forEmail(final String emailId) {
        return events.stream().filter(e -> emailId.equals(e.getEmailId())).toList();
    }

    List<DeliveryEvent> ofType(final String emailId, final EventType type) {
        return forEmail(emailId).stream().filter(e -> e.getType() == type).toList();
    }

    List<DeliveryEvent> all() {
        return List.copyOf(events);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
