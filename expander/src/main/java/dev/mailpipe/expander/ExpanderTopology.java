package dev.mailpipe.expander;

import dev.mailpipe.core.events.EventIds;
import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.expander.core.Expansion;
import dev.mailpipe.schemas.CodecException;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.SingleObjectCodec;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.DeadLetterHeaders;
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
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expander as a Kafka Streams topology: {@code mail.raw} → one {@code mail.outbound} record per
 * recipient (key = lower-case recipient domain) plus a {@code request} event per email on
 * {@code mail.delivery-events}; a record that cannot be decoded or expanded goes, unchanged and
 * with the reason in its headers, to {@code mail.raw.dlt}, with an {@code invalid} event for its
 * messageId. A recipient suppressed for the account ({@code mail.suppressions}, a global table)
 * gets no email, only a {@code dropped} event with the reason. Raw values are read as bytes and decoded inside the topology, so a corrupt record is
 * an ordinary branch, never a stopped app. Operators are named so the topology stays stable.
 */
public final class ExpanderTopology {

    private static final Logger LOG = LoggerFactory.getLogger(ExpanderTopology.class);
    private static final SingleObjectCodec<RawMessage> RAW_CODEC = SingleObjectCodec.of(RawMessage.class);
    private static final SingleObjectCodec<Suppression> SUPPRESSION_CODEC = SingleObjectCodec.of(Suppression.class);
    /** The global store mirroring {@code mail.suppressions} (values as bytes). */
    public static final String SUPPRESSIONS_STORE = "suppressions";

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
        // Values stay bytes in the store and are decoded at lookup, so an unreadable record can
        // never stop the global thread (see DESIGN.md, "Suppression").
        final GlobalKTable<String, byte[]> suppressions = builder.globalTable(Topics.SUPPRESSIONS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("suppressions-source"),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(SUPPRESSIONS_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        raw.mapValues((key, bytes) -> expand(key, bytes, expander, metrics), Named.as("expand"))
                .split(Named.as("outcome-"))
                .branch((key, outcome) -> outcome.expanded(),
                        Branched.withConsumer(expanded -> expanded(expanded, suppressions, metrics, clock), "expanded"))
                .defaultBranch(Branched.withConsumer(invalid -> invalid(invalid, clock), "invalid"));
    }

    /** An email and the suppression of its recipient, if any; lives only between two operators. */
    record Routed(OutboundEmail email, Suppression suppression) {
        boolean suppressed() {
            return suppression != null;
        }
    }

    private static void expanded(final KStream<String, Outcome> expanded,
            final GlobalKTable<String, byte[]> suppressions, final ExpanderMetrics metrics, final Clock clock) {
        final KStream<String, Routed> routed = expanded
                .flatMap((key, outcome) -> emailsOf(outcome), Named.as("emails"))
                .leftJoin(suppressions, (domain, email) -> SuppressionKey.of(email.getApiUser(), email.getRecipient()),
                        (email, suppression) -> new Routed(email, suppression == null ? null : suppression(email, suppression)),
                        Named.as("suppressions-lookup"));
        routed.split(Named.as("recipient-"))
                .branch((key, r) -> r.suppressed(),
                        Branched.withConsumer(dropped -> dropped(dropped, metrics, clock), "suppressed"))
                .defaultBranch(Branched.withConsumer(allowed -> allowed(allowed, clock), "allowed"));
    }

    private static void allowed(final KStream<String, Routed> allowed, final Clock clock) {
        allowed.mapValues(Routed::email, Named.as("allowed-emails"))
                .to(Topics.OUTBOUND.name(), Produced.with(Topics.OUTBOUND.keySerde(), Topics.OUTBOUND.valueSerde())
                        .withName("outbound-sink"));
        allowed.map((key, r) -> KeyValue.pair(r.email().getMessageId(), requestEventOf(r.email(), clock)),
                        Named.as("request-events"))
                .to(Topics.DELIVERY_EVENTS.name(), Produced.with(Topics.DELIVERY_EVENTS.keySerde(),
                        Topics.DELIVERY_EVENTS.valueSerde()).withName("request-events-sink"));
    }

    /** A suppressed recipient gets no email and no request event, only a {@code dropped} event with the reason. */
    private static void dropped(final KStream<String, Routed> dropped, final ExpanderMetrics metrics,
            final Clock clock) {
        dropped.map((key, r) -> {
            metrics.dropped();
            LOG.info("{} dropped: {}", r.email().getEmailId(), droppedReason(r.suppression()));
            return KeyValue.pair(r.email().getMessageId(), droppedEventOf(r, clock));
        }, Named.as("dropped-events"))
                .to(Topics.DELIVERY_EVENTS.name(), Produced.with(Topics.DELIVERY_EVENTS.keySerde(),
                        Topics.DELIVERY_EVENTS.valueSerde()).withName("dropped-events-sink"));
    }

    /**
     * The suppression stored for an email's recipient. A record that cannot be decoded still
     * suppresses (reason unknown): mailing someone who may have unsubscribed is the worse mistake,
     * and {@code ./mailpipe suppressions remove} clears it.
     */
    private static Suppression suppression(final OutboundEmail email, final byte[] bytes) {
        try {
            final Suppression decoded = SUPPRESSION_CODEC.decode(bytes);
            if (decoded != null) {
                return decoded;
            }
        } catch (final RuntimeException e) { // CodecException or a broken record
            LOG.warn("unreadable suppression record for {} treated as suppressed: {}", email.getRecipient(), e.getMessage());
        }
        return Suppression.newBuilder().setApiUser(email.getApiUser())
                .setAddress(SuppressionKey.normalise(email.getRecipient()))
                .setReason(SuppressionReason.unknown).setCreatedAt(Instant.EPOCH)
                .setSource("unreadable suppression record").build();
    }

    static String droppedReason(final Suppression suppression) {
        return "suppressed: " + suppression.getReason()
                + (suppression.getSource() == null || suppression.getSource().isBlank() ? ""
                        : " (" + suppression.getSource() + ")");
    }

    private static void invalid(final KStream<String, Outcome> invalid, final Clock clock) {
        invalid.process(DeadLetter::new, Named.as("dead-letter"))
                .to(Topics.RAW_DLT.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letter-sink"));
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
            LOG.warn("submission {} is invalid, sent to {}: {}", messageIdOf(outcome), Topics.RAW_DLT.name(),
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

    private static DeliveryEvent requestEventOf(final OutboundEmail email, final Clock clock) {
        return emailEvent(email, EventType.request, clock)
                .setEventId(EventIds.of(EventType.request.name(), email.getEmailId(), 0))
                .build();
    }

    private static DeliveryEvent droppedEventOf(final Routed routed, final Clock clock) {
        return emailEvent(routed.email(), EventType.dropped, clock)
                .setReason(droppedReason(routed.suppression()))
                .setEventId(EventIds.of(EventType.dropped.name(), routed.email().getEmailId(), 0))
                .build();
    }

    private static DeliveryEvent.Builder emailEvent(final OutboundEmail email, final EventType type, final Clock clock) {
        return DeliveryEvent.newBuilder()
                .setType(type)
                .setMessageId(email.getMessageId())
                .setEmailId(email.getEmailId())
                .setApiUser(email.getApiUser())
                .setLabel(email.getLabel())
                .setRecipient(email.getRecipient())
                .setTimestamp(clock.instant())
                .setMailListTaskId(email.getMailListTaskId())
                .setInternetMessageId(email.getInternetMessageId())
                .setCustomHeaders(new LinkedHashMap<>(email.getCustomHeaders()));
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
            headers.add(DeadLetterHeaders.REASON, utf8(((Expansion.Invalid) record.value().expansion()).reason()));
            context.recordMetadata().ifPresent(source -> {
                headers.add(DeadLetterHeaders.TOPIC, utf8(source.topic()));
                headers.add(DeadLetterHeaders.PARTITION, utf8(String.valueOf(source.partition())));
                headers.add(DeadLetterHeaders.OFFSET, utf8(String.valueOf(source.offset())));
            });
            context.forward(new Record<>(record.key(), record.value().raw(), record.timestamp(), headers));
        }

        private static byte[] utf8(final String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }
    }
}
