package dev.mailpipe.expander;

import dev.mailpipe.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The expander's one source of {@code mail.delivery-events} (a topology may subscribe a topic only
 * once): list-task counts and the statistics both read it, as bytes each decodes itself.
 */
public final class DeliveryEventsSource {

    private DeliveryEventsSource() {
    }

    public static KStream<String, byte[]> stream(final StreamsBuilder builder) {
        return builder.stream(Topics.DELIVERY_EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                .withName("delivery-events-source"));
    }
}
