package dev.mailpipe.expander;

import dev.mailpipe.core.events.EventIds;
import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.expander.core.Expansion;
import dev.mailpipe.schemas.CodecException;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.SingleObjectCodec;
import dev.mailpipe.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expander as a Kafka Streams topology: {@code mail.raw} → one {@code mail.outbound} record per
 * recipient (key = lower-case recipient domain) plus a {@code request} event per email on
 * {@code mail.delivery-events}; a record that cannot be decoded or expanded goes, unchanged and
 * with the reason in its headers, to {@code mail.raw.dlt}, with an {@code invalid} event for its
 * messageId. Raw values are read as bytes and decoded inside the topology, so a corrupt record is
 * an ordinary branch, never a stopped app. Operators are named so the topology stays stable.
 */
public final class ExpanderTopology {

    /** Headers on dead-letter records. */
    public static final String DLT_REASON = "mailpipe.dlt.reason";
    public static final String DLT_TOPIC = "mailpipe.dlt.topic";
    public static final String DLT_PARTITION = "mailpipe.dlt.partition";
    public static final String DLT_OFFSET = "mailpipe.dlt.offset";

    private static final Logger LOG = LoggerFactory.getLogger(ExpanderTopology.class);
    private static final SingleObjectCodec<RawMessage> RAW_CODEC = SingleObjectCodec.of(RawMessage.class);

    /** One raw record and what became of it; lives only between two operators, never serialised. */
    record Outcome(String key, byte[] raw, RawMessage message, Expansion expansion) {
        boolean expanded() {
            return expansion instanceof Expansion.Expanded;
        }
    }

    private ExpanderTopology() {
    }

    /**
     * Adds the expander to {@code builder}.
     *
     * @param clock timestamps of the events the expander emits
     */
    public static void build(final StreamsBuilder builder, final Expander expander, final ExpanderMetrics metrics,
            final Clock clock) {
        final KStream<String, byte[]> raw = builder.stream(Topics.RAW.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("raw-source"));
        raw.mapValues((key, bytes) -> expand(key, bytes, expander, metrics), Named.as("expand"))
                .split(Named.as("outcome-"))
                .branch((key, outcome) -> outcome.expanded(),
                        Branched.withConsumer(expanded -> expanded(expanded, clock), "expanded"))
                .defaultBranch(Branched.withConsumer(invalid -> invalid(invalid, clock), "invalid"));
    }

    private static void expanded(final KStream<String, Outcome> expanded, final Clock clock) {
        expanded.flatMap((key, outcome) -> emailsOf(outcome), Named.as("emails"))
                .to(Topics.OUTBOUND.name(), Produced.with(Topics.OUTBOUND.keySerde(), Topics.OUTBOUND.valueSerde())
                        .withName("outbound-sink"));
        expanded.flatMap((key, outcome) -> requestEventsOf(outcome, clock), Named.as("request-events"))
                .to(Topics.DELIVERY_EVENTS.name(), Produced.with(Topics.DELIVERY_EVENTS.keySerde(),
                        Topics.DELIVERY_EVENTS.valueSerde()).withName("request-events-sink"));
    }

    private static void invalid(final KStream<String, Outcome> invalid, final Clock clock) {
        invalid.process(DeadLetter::new, Named.as("dead-letter"))
                .to(Topics.RAW_DLT, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letter-sink"));
        invalid.map((key, outcome) -> invalidEventOf(outcome, clock), Named.as("invalid-events"))
                .to(Topics.DELIVERY_EVENTS.name(), Produced.with(Topics.DELIVERY_EVENTS.keySerde(),
                        Topics.DELIVERY_EVENTS.valueSerde()).withName("invalid-events-sink"));
    }

    static Outcome expand(final String key, final byte[] bytes, final Expander expander, final ExpanderMetrics metrics) {
        final long start = System.nanoTime();
        final Outcome outcome = outcome(key, bytes, expander);
        final Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (outcome.expansion() instanceof Expansion.Expanded expanded) {
            metrics.expanded(expanded.emails().size(), took);
        } else {
            metrics.invalid(took);
            LOG.warn("submission {} is invalid, sent to {}: {}", messageIdOf(outcome), Topics.RAW_DLT,
                    ((Expansion.Invalid) outcome.expansion()).reason());
        }
        return outcome;
    }

    private static Outcome outcome(final String key, final byte[] bytes, final Expander expander) {
        if (bytes == null) {
            return new Outcome(key, null, null, new Expansion.Invalid("empty record (no value)"));
        }
        final RawMessage message;
        try {
            message = RAW_CODEC.decode(bytes);
        } catch (final CodecException e) {
            return new Outcome(key, bytes, null, new Expansion.Invalid("corrupt record: " + e.getMessage()));
        }
        try {
            return new Outcome(key, bytes, message, expander.expand(message));
        } catch (final RuntimeException e) {
            LOG.error("cannot expand submission {}", message.getMessageId(), e);
            return new Outcome(key, bytes, message, new Expansion.Invalid("cannot expand: " + e));
        }
    }

    private static List<KeyValue<String, OutboundEmail>> emailsOf(final Outcome outcome) {
        final List<OutboundEmail> emails = ((Expansion.Expanded) outcome.expansion()).emails();
        final List<KeyValue<String, OutboundEmail>> records = new ArrayList<>(emails.size());
        for (final OutboundEmail email : emails) {
            records.add(KeyValue.pair(email.getRecipientDomain(), email));
        }
        return records;
    }

    private static List<KeyValue<String, DeliveryEvent>> requestEventsOf(final Outcome outcome, final Clock clock) {
        final Expansion.Expanded expanded = (Expansion.Expanded) outcome.expansion();
        final Instant now = clock.instant();
        final List<KeyValue<String, DeliveryEvent>> events = new ArrayList<>(expanded.emails().size());
        for (final OutboundEmail email : expanded.emails()) {
            events.add(KeyValue.pair(email.getMessageId(), DeliveryEvent.newBuilder()
                    .setType(EventType.request)
                    .setEventId(EventIds.of(EventType.request.name(), email.getEmailId(), 0))
                    .setMessageId(email.getMessageId())
                    .setEmailId(email.getEmailId())
                    .setApiUser(email.getApiUser())
                    .setLabel(email.getLabel())
                    .setRecipient(email.getRecipient())
                    .setTimestamp(now)
                    .setCustomHeaders(new LinkedHashMap<>(expanded.customHeaders()))
                    .build()));
        }
        return events;
    }

    private static KeyValue<String, DeliveryEvent> invalidEventOf(final Outcome outcome, final Clock clock) {
        final RawMessage message = outcome.message();
        final String messageId = messageIdOf(outcome);
        return KeyValue.pair(messageId, DeliveryEvent.newBuilder()
                .setType(EventType.invalid)
                .setEventId(EventIds.of(EventType.invalid.name(), messageId, 0))
                .setMessageId(messageId)
                .setApiUser(message == null ? "" : message.getApiUser())
                .setLabel(message == null ? null : message.getLabel())
                .setTimestamp(clock.instant())
                .setReason(((Expansion.Invalid) outcome.expansion()).reason())
                .setCustomHeaders(new LinkedHashMap<>(((Expansion.Invalid) outcome.expansion()).customHeaders()))
                .build());
    }

    private static String messageIdOf(final Outcome outcome) {
        if (outcome.message() != null) {
            return outcome.message().getMessageId();
        }
        return outcome.key() == null ? "" : outcome.key();
    }

    /** Forwards the raw bytes unchanged, with the reason and the source position added as headers. */
    private static final class DeadLetter implements Processor<String, Outcome, String, byte[]> {
        private ProcessorContext<String, byte[]> context;

        @Override
        public void init(final ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(final Record<String, Outcome> record) {
            final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(DLT_REASON, utf8(((Expansion.Invalid) record.value().expansion()).reason()));
            context.recordMetadata().ifPresent(source -> {
                headers.add(DLT_TOPIC, utf8(source.topic()));
                headers.add(DLT_PARTITION, utf8(String.valueOf(source.partition())));
                headers.add(DLT_OFFSET, utf8(String.valueOf(source.offset())));
            });
            context.forward(new Record<>(record.key(), record.value().raw(), record.timestamp(), headers));
        }

        private static byte[] utf8(final String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }
    }
}
