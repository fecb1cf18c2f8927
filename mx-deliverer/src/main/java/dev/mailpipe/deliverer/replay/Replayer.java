package dev.mailpipe.deliverer.replay;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Copies selected emails back to {@code mail.outbound} as fresh first attempts. Records are copied
 * byte for byte (key and value) with {@link ReplayHeaders}; only headers change. One consumer
 * (assigned, no group) and one idempotent acks=all producer per replay. An email whose recipient is
 * on the account's suppression list ({@code mail.suppressions}, read once at start) is skipped.
 */
public final class Replayer implements AutoCloseable {

    /**
     * What a replay did. {@code missing}: selected emailIds not found; {@code undecodable}: skipped
     * records; {@code suppressed}: matched but not replayed, the recipient is on the account's suppression list.
     */
    public record Result(long scanned, long matched, long replayed, long missing, long undecodable, long suppressed,
            long alreadySent, boolean stopped) {
    }

    private static final Deserializer<OutboundEmail> EMAILS = Topics.OUTBOUND.valueSerde().deserializer();
    private static final Deserializer<DeliveryEvent> EVENTS = Topics.DELIVERY_EVENTS.valueSerde().deserializer();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TopicScan scan;
    private final PrintWriter out;
    private final PrintWriter err;
    // counted in the producer's callbacks rather than kept as futures: a million sends must not hold a million objects
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private final ReplayProgress progress;
    private final BooleanSupplier stop;
    private String replayId;
    private boolean stopped;
    private boolean dryRun;
    private RateLimit rate;
    // dry run only: reasons interned to the int kept per email, and the summary's counts
    private final List<String> reasonNames = new ArrayList<>(List.of("(other reasons)"));
    private final Map<String, Integer> reasonIndex = new HashMap<>();
    private final Tally byDomain = new Tally(MAX_DOMAINS, "(other domains)");
    private final Tally byReason = new Tally(MAX_REASONS + 1, "(other reasons)");
    /** The suppression list as it was when the replay started; null when the topic does not exist yet. */
    private final CompactedTable<Suppression> suppressions;
    private long suppressed;

    /**
     * @param timeout how long one Kafka request (metadata, offsets, send) may block, and how long a
     *                scan may make no progress, before the replay fails
     */
    public Replayer(final String bootstrapServers, final Duration timeout, final PrintWriter out, final PrintWriter err) {
        this(bootstrapServers, timeout, out, err, new ReplayProgress(), () -> false);
    }

    /**
     * @param progress kept up to date for a display
     * @param stop     asked before each record: true stops the replay after what was already sent (Ctrl-C)
     */
    public Replayer(final String bootstrapServers, final Duration timeout, final PrintWriter out, final PrintWriter err,
            final ReplayProgress progress, final BooleanSupplier stop) {
        this.progress = progress;
        this.stop = stop;
        final int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        final Map<String, Object> consumerProps = KafkaDefaults.with(
                KafkaDefaults.consumer(bootstrapServers, "unused"),
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "mailpipe-replay",
                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs));
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign() only: no group, nothing committed
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaDefaults.with(
                KafkaDefaults.producer(bootstrapServers, "mailpipe-replay"),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs)),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.scan = new TopicScan(consumer, timeout, progress, this::stopping);
        this.out = out;
        this.err = err;
        // checked through our own consumer (no auto-creation): following a missing topic would create it uncompacted
        this.suppressions = consumer.partitionsFor(Topics.SUPPRESSIONS.name()).isEmpty() ? null
                : CompactedTable.start(bootstrapServers, "mailpipe-replay", Topics.SUPPRESSIONS.name(),
                        Topics.SUPPRESSIONS.valueSerde());
    }

    /**
     * How a replay runs.
     *
     * @param dryRun          print what would be sent; write nothing
     * @param includeRetrying also take emails whose latest event is {@code deferred} (still retried)
     * @param maxSelected     most candidate emails held; more fails the replay before it sends anything
     * @param replayId        put on every record sent ({@link ReplayHeaders#REPLAY_ID})
     * @param resume          the id was given, not generated: first skip the emails earlier runs with it already sent
     */
    public record Options(boolean dryRun, boolean includeRetrying, int maxSelected, String replayId, boolean resume,
            double ratePerSecond) {

        /** Without a rate limit. */
        public Options(final boolean dryRun, final boolean includeRetrying, final int maxSelected, final String replayId,
                final boolean resume) {
            this(dryRun, includeRetrying, maxSelected, replayId, resume, 0);
        }
    }

    /** Distinct reasons the dry run tells apart; the rest count as one. */
    private static final int MAX_REASONS = 10_000;
    private static final int MAX_DOMAINS = 10_000;

    /**
     * {@code mail.outbound.dlt} records the selector takes → {@code mail.outbound}, unless a later
     * event on {@code mail.delivery-events} (up to its current end) says the email was delivered
     * since, or is being retried again.
     */
    public Result replayDeadLetters(final ReplaySelector selector, final Options options) {
        begin(options);
        final SelectedEmails emails = new SelectedEmails(options.maxSelected());
        final long[] counts = new long[3]; // matched, undecodable, sent
        final String topic = Topics.OUTBOUND_DLT.name();
        final long since = selector.window().since().toEpochMilli();
        scan.scan(topic, since, record -> {
            if (!selector.window().contains(record.timestamp())) {
                return; // cheap check first: most of a long DLT is outside the window
            }
            final OutboundEmail email = decode(EMAILS, record);
            if (email == null) {
                counts[1]++;
            } else if (selector.selectsEmail(record.timestamp(), email, dltReason(record))) {
                emails.put(email.getEmailId(), LatestOutcome.EXPIRED, reason(dltReason(record)));
            }
        });
        if (emails.size() > 0) {
            // the expired event is written with the DLT record, so events from the window start on cover everything later
            foldLaterEvents(emails, since, counts);
        }
        printSelection(emails, options);
        final long alreadySent = skipAlreadySent(emails, selector, options);
        final long[] remaining = {emails.countUnsent(options.includeRetrying())};
        final long scanned = remaining[0] == 0 || stopping() ? 0 : scan.scan(topic, since, record -> {
            if (remaining[0] == 0 || stopping() || !selector.window().contains(record.timestamp())) {
                return;
            }
            final OutboundEmail email = decode(EMAILS, record, false);
            if (email != null && selector.selectsEmail(record.timestamp(), email, dltReason(record))
                    && emails.outcome(email.getEmailId()).replayable(options.includeRetrying())
                    && emails.markSent(email.getEmailId())) { // once, if the DLT holds an email twice
                counts[0]++;
                remaining[0]--;
                replay(record, email, emails.info(email.getEmailId()));
            }
        });
        final long replayed = awaitSends();
        printSummary();
        return new Result(scanned, counts[0], replayed, 0, counts[1], suppressed, alreadySent, stopped);
    }

    /**
     * Reads {@code mail.delivery-events} from the window start to its current end: emails with an
     * event the selector takes in the window become candidates, and every later event of a
     * candidate moves its {@link LatestOutcome}; then the replayable ones are taken from
     * {@code mail.outbound} from {@code lookback} before the window, the first copy of each.
     */
    public Result replayFromEvents(final ReplaySelector selector, final Duration lookback, final Options options) {
        begin(options);
        final SelectedEmails emails = new SelectedEmails(options.maxSelected());
        final long[] undecodable = new long[1];
        final long since = selector.window().since().toEpochMilli();
        final long eventsScanned = scan.scan(Topics.DELIVERY_EVENTS.name(), since, record -> {
            final DeliveryEvent event = decode(EVENTS, record);
            if (event == null) {
                undecodable[0]++;
            } else if (event.getEmailId() != null) {
                final LatestOutcome before = emails.outcome(event.getEmailId());
                final LatestOutcome after = before.after(event.getType());
                if (before != LatestOutcome.NONE) {
                    emails.update(event.getEmailId(), after, event.getReason() == null ? -1 : reason(event.getReason()));
                } else if (after != LatestOutcome.NONE && selector.selectsEvent(record.timestamp(), event)) {
                    emails.put(event.getEmailId(), after, reason(event.getReason()));
                }
            }
        });
        out.printf("%s: scanned %d, %d candidate emails%n", Topics.DELIVERY_EVENTS.name(), eventsScanned, emails.size());
        printSelection(emails, options);
        final long alreadySent = skipAlreadySent(emails, selector, options);
        final long[] remaining = {emails.countUnsent(options.includeRetrying())};
        if (remaining[0] == 0 || stopping()) {
            return new Result(0, 0, 0, 0, undecodable[0], 0, alreadySent, stopped);
        }
        final long[] matched = new long[1];
        final long scanned = scan.scan(Topics.OUTBOUND.name(), selector.window().startMinus(lookback), record -> {
            if (remaining[0] == 0 || stopping()) {
                return;
            }
            final OutboundEmail email = decode(EMAILS, record);
            if (email == null) {
                undecodable[0]++;
            } else if (emails.outcome(email.getEmailId()).replayable(options.includeRetrying())
                    && emails.markSent(email.getEmailId())) { // the first copy only (earlier replays add more)
                matched[0]++;
                remaining[0]--;
                replay(record, email, emails.info(email.getEmailId()));
            }
        });
        final long replayed = awaitSends();
        printSummary();
        final long missing = stopped ? 0 : remaining[0];
        if (missing > 0) {
            reportMissing(selector, lookback, emails, options);
        }
        return new Result(scanned, matched[0], replayed, missing, undecodable[0], suppressed, alreadySent, stopped);
    }

    /** Moves the outcome of every email already in {@code emails} by its events from {@code since} on. */
    private void foldLaterEvents(final SelectedEmails emails, final long since, final long[] counts) {
        scan.scan(Topics.DELIVERY_EVENTS.name(), since, record -> {
            final DeliveryEvent event = decode(EVENTS, record);
            if (event == null) {
                counts[1]++;
            } else if (event.getEmailId() != null) {
                final LatestOutcome before = emails.outcome(event.getEmailId());
                if (before != LatestOutcome.NONE) {
                    emails.update(event.getEmailId(), before.after(event.getType()),
                            event.getReason() == null ? -1 : reason(event.getReason()));
                }
            }
        });
    }

    /**
     * A run with a given replay id first reads {@code mail.outbound} for the copies earlier runs
     * with that id wrote (they carry it in a header) and marks their emails sent. The copies
     * themselves are the record of progress: one that was acknowledged is there, one that was not
     * is not, so this is exact without a progress topic to keep in step with the writes. It reads
     * from shortly before the id's time (the time is in a generated id; else from the window start,
     * before which no copy can have been written).
     */
    private long skipAlreadySent(final SelectedEmails emails, final ReplaySelector selector, final Options options) {
        if (!options.resume() || emails.countUnsent(options.includeRetrying()) == 0 || stopping()) {
            progress.selected(emails.countUnsent(options.includeRetrying()));
            return 0;
        }
        final long from = ReplayId.startedAt(options.replayId())
                .map(t -> t.minus(Duration.ofMinutes(5)).toEpochMilli()) // the clocks of two runs' hosts may differ
                .orElse(selector.window().since().toEpochMilli());
        final byte[] id = options.replayId().getBytes(StandardCharsets.UTF_8);
        final long[] already = new long[1];
        scan.scan(Topics.OUTBOUND.name(), Math.max(0, from), record -> {
            final Header h = record.headers().lastHeader(ReplayHeaders.REPLAY_ID);
            if (h == null || !Arrays.equals(h.value(), id)) {
                return; // most records: no decoding
            }
            final OutboundEmail email = decode(EMAILS, record, false);
            if (email != null && emails.outcome(email.getEmailId()).replayable(options.includeRetrying())
                    && emails.markSent(email.getEmailId())) {
                already[0]++;
            }
        });
        out.printf("%s: %d of them already sent by replay %s; %d to send%n", Topics.OUTBOUND.name(), already[0],
                options.replayId(), emails.countUnsent(options.includeRetrying()));
        progress.selected(emails.countUnsent(options.includeRetrying()));
        return already[0];
    }

    private void begin(final Options options) {
        replayId = options.replayId();
        dryRun = options.dryRun();
        rate = options.ratePerSecond() > 0 ? new RateLimit(options.ratePerSecond(), System::nanoTime) : null;
    }

    /** The index of an outcome's reason for the dry run's summary; 0 outside a dry run (nothing is counted). */
    private int reason(final String text) {
        if (!dryRun) {
            return 0;
        }
        final String key = Tally.reasonKey(text);
        final Integer known = reasonIndex.get(key);
        if (known != null) {
            return known;
        }
        if (reasonNames.size() > MAX_REASONS) {
            return 0;
        }
        reasonIndex.put(key, reasonNames.size());
        reasonNames.add(key);
        return reasonNames.size() - 1;
    }

    /** Prints the dry run's counts by recipient domain and by reason. */
    private void printSummary() {
        if (!dryRun || byDomain.isEmpty()) {
            return;
        }
        out.println("would replay, by recipient domain:");
        byDomain.top(20).forEach(e -> out.printf("%10d  %s%n", e.getValue(), e.getKey()));
        out.println("would replay, by reason (of the latest outcome):");
        byReason.top(20).forEach(e -> out.printf("%10d  %s%n", e.getValue(), e.getKey()));
        out.flush();
    }

    /** Waits for the rate limit's next token, in short steps so that a stop is seen at once. */
    private void pace() {
        if (rate == null) {
            return;
        }
        final long until = System.nanoTime() + rate.acquire();
        for (long left = until - System.nanoTime(); left > 0 && !stopping(); left = until - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, Duration.ofMillis(100).toNanos()));
        }
    }

    private static String dltReason(final ConsumerRecord<byte[], byte[]> record) {
        return RetryHeaders.text(record.headers(), DeadLetterHeaders.REASON).orElse(null);
    }

    /** Whether a stop was asked for; once true it stays true, so a replay never resumes by itself. */
    private boolean stopping() {
        if (!stopped && stop.getAsBoolean()) {
            stopped = true;
        }
        return stopped;
    }

    private void printSelection(final SelectedEmails emails, final Options options) {
        final long[] by = emails.countByOutcome();
        final long retrying = by[LatestOutcome.RETRYING.ordinal()];
        out.printf("selected %d emails (latest outcome: bounced %d, expired %d, retrying %d%s); skipped: delivered since %d,"
                        + " dropped %d%n",
                emails.countUnsent(options.includeRetrying()), by[LatestOutcome.BOUNCED.ordinal()],
                by[LatestOutcome.EXPIRED.ordinal()], retrying,
                options.includeRetrying() || retrying == 0 ? "" : " skipped, --include-retrying takes them",
                by[LatestOutcome.SUCCESS.ordinal()], by[LatestOutcome.DROPPED.ordinal()]);
        out.flush();
    }

    /**
     * Prints the emailIds selected but not found on {@code mail.outbound}. The table holds no ids,
     * so they come from a second read of the window's events; only when some are missing.
     */
    private void reportMissing(final ReplaySelector selector, final Duration lookback, final SelectedEmails emails,
            final Options options) {
        final String from = java.time.Instant.ofEpochMilli(selector.window().startMinus(lookback)).toString();
        scan.scan(Topics.DELIVERY_EVENTS.name(), selector.window().since().toEpochMilli(), record -> {
            if (!selector.window().contains(record.timestamp())) {
                return;
            }
            final DeliveryEvent event = decode(EVENTS, record, false);
            if (event != null && event.getEmailId() != null
                    && emails.outcome(event.getEmailId()).replayable(options.includeRetrying())
                    && emails.markSent(event.getEmailId())) { // marks it reported: once per email
                err.println("missing: " + event.getEmailId() + " (not on " + Topics.OUTBOUND.name() + " since " + from
                        + "; try a longer --lookback)");
            }
        });
    }

    private void replay(final ConsumerRecord<byte[], byte[]> record, final OutboundEmail email, final int reason) {
        final String from = record.topic() + "/" + record.partition() + "/" + record.offset();
        final Suppression suppression = suppressions == null ? null
                : suppressions.get(SuppressionKey.of(email.getApiUser(), email.getRecipient())).orElse(null);
        if (suppression != null) {
            suppressed++;
            out.println("skipped " + email.getEmailId() + " from " + from + ": suppressed (" + suppression.getReason() + ")");
            return;
        }
        if (dryRun) {
            progress.sentOne();
            out.println("would replay " + email.getEmailId() + " from " + from);
            byDomain.add(email.getRecipientDomain() == null ? null : email.getRecipientDomain().toLowerCase(Locale.ROOT));
            byReason.add(reasonNames.get(Math.max(0, reason)));
            return;
        }
        pace();
        if (stopping()) {
            return; // stopped while waiting for the rate limit: this one is not sent
        }
        progress.sentOne();
        producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), null, record.key(), record.value(),
                ReplayHeaders.forReplay(record.headers(), record.topic(), record.partition(), record.offset(),
                        replayId)), (metadata, e) -> {
                            if (e == null) {
                                acked.incrementAndGet();
                            } else {
                                sendFailure.compareAndSet(null, e);
                            }
                        });
    }

    /**
     * Waits until every record sent so far is acknowledged or failed; returns how many were
     * acknowledged. {@code flush()} returns after the callbacks of all earlier sends have run.
     */
    private long awaitSends() {
        try {
            producer.flush();
        } catch (final org.apache.kafka.common.errors.InterruptException e) {
            throw new ReplayException("interrupted while waiting for Kafka to acknowledge the replayed records", e);
        }
        final long n = acked.get();
        final Exception failure = sendFailure.get();
        if (failure != null) {
            throw new ReplayException(n + " records were replayed, but writing to " + Topics.OUTBOUND.name()
                    + " failed: " + failure.getMessage(), failure);
        }
        return n;
    }

    private <T> T decode(final Deserializer<T> deserializer, final ConsumerRecord<byte[], byte[]> record) {
        return decode(deserializer, record, true);
    }

    /** {@code report} false on a second read of the same records: each is reported once. */
    private <T> T decode(final Deserializer<T> deserializer, final ConsumerRecord<byte[], byte[]> record,
            final boolean report) {
        if (record.value() == null) {
            if (!report) {
                return null;
            }
            err.println("skipped empty record " + record.topic() + "/" + record.partition() + "/" + record.offset());
            return null;
        }
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (final RuntimeException e) {
            if (!report) {
                return null;
            }
            err.println("skipped undecodable record " + record.topic() + "/" + record.partition() + "/"
                    + record.offset() + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            producer.close(Duration.ofSeconds(5));
            if (suppressions != null) {
                suppressions.close();
            }
        }
    }
}
