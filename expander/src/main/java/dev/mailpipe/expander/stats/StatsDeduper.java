package dev.mailpipe.expander.stats;

import dev.mailpipe.platform.stats.StatsKeys;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Turns each event, the first time its {@code eventId} is seen, into a {@link StatsIncrement}
 * keyed by the bucket's dimensions (account, label, recipient domain) at the event's own time, so
 * an event written twice (a deliverer retry after a crash) counts once and a replay of the events
 * topic counts the same as the first reading. It also decides whether an open or a click is the
 * email's first of its hour and of its day (the unique counts).
 *
 * <p>Runs on the events' partitioning (key = messageId): every event of an email is in one task.
 * What it remembers lives in a window store of UTC days kept {@link #SEEN_RETENTION}: a duplicate
 * more than that late is counted again (none is: duplicates follow within seconds).
 */
final class StatsDeduper implements Processor<String, DeliveryEvent, String, StatsIncrement> {

    static final Duration SEEN_RETENTION = Duration.ofDays(2);
    static final Duration DAY = Duration.ofDays(1);

    private static final byte[] SEEN = new byte[0];
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();

    private final String storeName;
    private ProcessorContext<String, StatsIncrement> context;
    private WindowStore<String, byte[]> seen;

    StatsDeduper(final String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(final ProcessorContext<String, StatsIncrement> context) {
        this.context = context;
        this.seen = context.getStateStore(storeName);
    }

    @Override
    public void process(final Record<String, DeliveryEvent> record) {
        final DeliveryEvent event = record.value();
        if (event.getType() == EventType.unknown) {
            return;
        }
        final long time = event.getTimestamp().toEpochMilli();
        final long day = time - Math.floorMod(time, DAY.toMillis());
        final long hour = time - Math.floorMod(time, HOUR_MS);
        // records written before eventId existed cannot be told apart from a duplicate: counted
        if (!event.getEventId().isEmpty() && !firstTime("e|" + event.getEventId(), day)) {
            return;
        }
        boolean firstOfHour = false;
        boolean firstOfDay = false;
        if ((event.getType() == EventType.open || event.getType() == EventType.click) && event.getEmailId() != null) {
            final String email = "u|" + event.getType().name() + '|' + event.getEmailId();
            firstOfDay = firstTime(email, day);
            firstOfHour = firstTime(email + '|' + hour, day);
        }
        final String dimensions = StatsKeys.dimensions(event.getApiUser(),
                event.getLabel() == null ? "" : event.getLabel(), domainOf(event.getRecipient()));
        context.forward(new Record<>(dimensions,
                new StatsIncrement(event.getType(), event.getBounceClass(), firstOfHour, firstOfDay), time));
    }

    /** Remembers {@code key} in the day window {@code day}; whether it was new there. */
    private boolean firstTime(final String key, final long day) {
        if (seen.fetch(key, day) != null) {
            return false;
        }
        seen.put(key, SEEN, day);
        return true;
    }

    /** The recipient's domain, lower case; empty without a recipient (an invalid submission). */
    static String domainOf(final String recipient) {
        if (recipient == null) {
            return "";
        }
        final int at = recipient.lastIndexOf('@');
        return at < 0 ? "" : recipient.substring(at + 1).strip().toLowerCase(Locale.ROOT);
    }
}
