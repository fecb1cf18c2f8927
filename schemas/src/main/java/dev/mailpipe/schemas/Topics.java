package dev.mailpipe.schemas;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic mailpipe writes or reads, with its serdes. Names are part of the public contract. */
public final class Topics {

    private static final Serde<String> KEY = Serdes.String();

    /** Accepted submissions, key = messageId. Written by ingest-smtp, read by expander. */
    public static final Topic<String, RawMessage> RAW =
            new Topic<>("mail.raw", KEY, new CodecSerde<>(SingleObjectCodec.of(RawMessage.class)));

    /** Personalised emails, key = recipient domain. Written by expander, read by mx-deliverer. */
    public static final Topic<String, OutboundEmail> OUTBOUND =
            new Topic<>("mail.outbound", KEY, new CodecSerde<>(SingleObjectCodec.of(OutboundEmail.class)));

    /** Every outcome, key = messageId. Read by analytics. */
    public static final Topic<String, DeliveryEvent> DELIVERY_EVENTS =
            new Topic<>("mail.delivery-events", KEY, new CodecSerde<>(SingleObjectCodec.of(DeliveryEvent.class)));

    /**
     * Raw records the expander could not process, as they were (bytes that may not even decode),
     * key = messageId, the reason and source in {@link DeadLetterHeaders}.
     */
    public static final Topic<String, byte[]> RAW_DLT = new Topic<>("mail.raw.dlt", KEY, Serdes.ByteArray());

    /** Emails the deliverer gave up on (expired), same format as {@link #OUTBOUND}. */
    public static final Topic<String, OutboundEmail> OUTBOUND_DLT =
            new Topic<>("mail.outbound.dlt", KEY, OUTBOUND.valueSerde());

    /**
     * Per-account suppression list (compacted), key = {@code SuppressionKey.of(apiUser, address)} from
     * core, tombstone = removed. Written by the web service (unsubscribe), mx-deliverer (hard bounces)
     * and the suppressions CLI; read by the expander (drop) and replay (skip).
     */
    public static final Topic<String, Suppression> SUPPRESSIONS =
            new Topic<>("mail.suppressions", KEY, new CodecSerde<>(SingleObjectCodec.of(Suppression.class)));

    /**
     * Webhook endpoints (compacted), key = {@link Webhook#getId()}, tombstone = removed. Written by
     * {@code ./mailpipe webhooks}, read by the webhooks service.
     */
    public static final Topic<String, Webhook> WEBHOOKS =
            new Topic<>("mail.webhooks", KEY, new CodecSerde<>(SingleObjectCodec.of(Webhook.class)));

    /**
     * Prefix of the webhooks service's retry topics, one per step of its retry schedule
     * ({@code mail.webhooks.retry-3m}, ...): the delivery event as read, key = webhook id, the
     * attempt and due time in headers.
     */
    public static final String WEBHOOKS_RETRY_PREFIX = "mail.webhooks.retry-";

    /**
     * Webhook posts that failed every retry: the delivery event's bytes as read, key = webhook id, the
     * last error in {@link DeadLetterHeaders#REASON}.
     */
    public static final Topic<String, byte[]> WEBHOOKS_DLT = new Topic<>("mail.webhooks.dlt", KEY, Serdes.ByteArray());

    /**
     * Sender domains (compacted), key = the normalised domain ({@code DomainNames.normalise} in core),
     * tombstone = removed. Written by {@code ./mailpipe domains}; read by ingest-smtp (sender
     * authorisation) and mx-deliverer (DKIM signing).
     */
    public static final Topic<String, SenderDomain> DOMAINS =
            new Topic<>("mail.domains", KEY, new CodecSerde<>(SingleObjectCodec.of(SenderDomain.class)));

    /**
     * Address lists (compacted), key = {@code ListKeys.list(apiUser, address)} from core, tombstone =
     * deleted. Written and read by the web service (addresslist API).
     */
    public static final Topic<String, AddressList> ADDRESS_LISTS =
            new Topic<>("mail.address-lists", KEY, new CodecSerde<>(SingleObjectCodec.of(AddressList.class)));

    /**
     * Members of address lists (compacted), key = {@code ListKeys.member(apiUser, list, member)},
     * each in the partition of its list ({@code ListKeys.partition}), tombstone = removed. Written by
     * the web service (addressmember API); the expander holds them in a state store to expand list
     * sends, the web service scans a list's partition to page through it.
     */
    public static final Topic<String, AddressMember> ADDRESS_MEMBERS =
            new Topic<>("mail.address-members", KEY, new CodecSerde<>(SingleObjectCodec.of(AddressMember.class)));

    /**
     * Sends to address lists, one task per list, key = taskId, in the partition of the list.
     * Written by the web service, expanded by the expander.
     */
    public static final Topic<String, ListTask> LIST_TASKS =
            new Topic<>("mail.list-tasks", KEY, new CodecSerde<>(SingleObjectCodec.of(ListTask.class)));

    /** Progress of each list task (compacted), key = taskId. Written by the expander, read by the web service. */
    public static final Topic<String, ListTaskProgress> LIST_TASK_PROGRESS = new Topic<>("mail.list-tasks.progress",
            KEY, new CodecSerde<>(SingleObjectCodec.of(ListTaskProgress.class)));

    /** Event counts of each list task (compacted), key = taskId. Written by the expander, read by the web service. */
    public static final Topic<String, ListTaskCounts> LIST_TASK_COUNTS = new Topic<>("mail.list-tasks.counts",
            KEY, new CodecSerde<>(SingleObjectCodec.of(ListTaskCounts.class)));

    /**
     * Hourly and daily event counts per account, label and recipient domain (compacted, old buckets
     * deleted after the topic's retention), key = {@code StatsKeys.of(period, start, apiUser, label,
     * domain)} from core. Written by the expander, read by the web service (statDay, statHour) and
     * {@code ./mailpipe stats}.
     */
    public static final Topic<String, DeliveryStats> STATS =
            new Topic<>("mail.stats", KEY, new CodecSerde<>(SingleObjectCodec.of(DeliveryStats.class)));

    private Topics() {
    }
}
