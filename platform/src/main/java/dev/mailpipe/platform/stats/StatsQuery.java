package dev.mailpipe.platform.stats;

import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.StatsPeriod;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A question to the statistics, as statDay/statHour and {@code ./mailpipe stats} ask it: hourly or
 * daily buckets of the UTC days {@code from} to {@code to} (both included), optionally only some
 * accounts, labels and recipient domains (an empty set is every one). Pure: it filters and sums
 * the buckets it is given.
 *
 * @param byDomain one row per recipient domain (statDay), or summed over domains (statHour)
 */
public record StatsQuery(StatsPeriod period, LocalDate from, LocalDate to, Set<String> apiUsers, Set<String> labels,
        Set<String> domains, boolean byDomain) {

    /** The longest span of days one query may cover, as SendCloud allows. */
    public static final int MAX_DAYS = 100;

    private static final Comparator<StatsRow> ORDER = Comparator.comparing(StatsRow::date)
            .thenComparingInt(StatsRow::hour).thenComparing(StatsRow::apiUser).thenComparing(StatsRow::label)
            .thenComparing(r -> r.domain() == null ? "" : r.domain());

    public StatsQuery {
        if (period != StatsPeriod.hour && period != StatsPeriod.day) {
            throw new IllegalArgumentException("period must be hour or day");
        }
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the end date " + to + " is before the start date " + from);
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
            throw new IllegalArgumentException("at most " + MAX_DAYS + " days per query, not "
                    + (ChronoUnit.DAYS.between(from, to) + 1));
        }
        apiUsers = Set.copyOf(apiUsers);
        labels = Set.copyOf(labels);
        domains = domains.stream().map(d -> d.strip().toLowerCase(Locale.ROOT)).collect(
                java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** The last {@code days} UTC days up to {@code today} ({@code days = 1} is today), as SendCloud's {@code days}. */
    public static LocalDate firstOfLastDays(final LocalDate today, final int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("days must be 1 to " + MAX_DAYS + ", not " + days);
        }
        return today.minusDays(days - 1L);
    }

    /** Whether {@code bucket} is one this query reads. */
    public boolean matches(final DeliveryStats bucket) {
        if (bucket.getPeriod() != period) {
            return false;
        }
        final LocalDate date = LocalDate.ofInstant(bucket.getStart(), ZoneOffset.UTC);
        return !date.isBefore(from) && !date.isAfter(to)
                && (apiUsers.isEmpty() || apiUsers.contains(bucket.getApiUser()))
                && (labels.isEmpty() || labels.contains(bucket.getLabel()))
                && (domains.isEmpty() || domains.contains(bucket.getDomain()));
    }

    /** The matching buckets summed per row, in date, hour, account, label, domain order. */
    public List<StatsRow> rows(final Iterable<DeliveryStats> buckets) {
        final Map<List<Object>, StatsRow> rows = new LinkedHashMap<>();
        for (final DeliveryStats b : buckets) {
            if (!matches(b)) {
                continue;
            }
            final Instant start = b.getStart();
            final LocalDate date = LocalDate.ofInstant(start, ZoneOffset.UTC);
            final int hour = period == StatsPeriod.hour ? start.atOffset(ZoneOffset.UTC).getHour() : -1;
            final String domain = byDomain ? b.getDomain() : null;
            final List<Object> key = java.util.Arrays.asList(date, hour, b.getApiUser(), b.getLabel(), domain);
            final StatsCounts counts = StatsCounts.of(b);
            rows.merge(key, new StatsRow(date, hour, b.getApiUser(), b.getLabel(), domain, counts),
                    (old, add) -> new StatsRow(old.date(), old.hour(), old.apiUser(), old.label(), old.domain(),
                            old.counts().plus(add.counts())));
        }
        final List<StatsRow> out = new ArrayList<>(rows.values());
        out.sort(ORDER);
        return out;
    }

    /** Every matching bucket summed (SendCloud's {@code aggregate=1}). */
    public StatsCounts total(final Iterable<DeliveryStats> buckets) {
        StatsCounts sum = StatsCounts.ZERO;
        for (final DeliveryStats b : buckets) {
            if (matches(b)) {
                sum = sum.plus(StatsCounts.of(b));
            }
        }
        return sum;
    }
}
