package dev.mailpipe.expander;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Topics;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expander's one source of {@code mail.delivery-events} (a topology may subscribe a topic only
 * once): list-task counts and the statistics both read it. Each event is decoded here, once; one
 * that cannot be decoded is logged and skipped, never stops the topology.
 */
public final class DeliveryEventsSource {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEventsSource.class);

    private DeliveryEventsSource() {
    }

    public static KStream<String, DeliveryEvent> stream(final StreamsBuilder builder) {
        return builder.stream(Topics.DELIVERY_EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("delivery-events-source"))
                .flatMapValues(DeliveryEventsSource::decode, Named.as("delivery-events-decoded"));
    }

    private static List<DeliveryEvent> decode(final String messageId, final byte[] bytes) {
        try {
            final DeliveryEvent event = Topics.DELIVERY_EVENTS.valueSerde().deserializer()
                    .deserialize(Topics.DELIVERY_EVENTS.name(), bytes);
            return event == null ? List.of() : List.of(event);
        } catch (final RuntimeException e) {
            LOG.warn("not counting an unreadable event of message {}: {}", messageId, e.getMessage());
            return List.of();
        }
    }
}
