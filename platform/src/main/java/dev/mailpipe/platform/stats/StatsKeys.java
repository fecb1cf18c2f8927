package dev.mailpipe.platform.stats;

import dev.mailpipe.schemas.StatsPeriod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys of statistics: the dimensions of a bucket (account, label, recipient domain) and the key of
 * a bucket on {@code mail.stats} (period and start before them). Parts are joined with {@code |};
 * a {@code |} or {@code %} inside a part is percent-encoded, so any label survives the round trip.
 */
public final class StatsKeys {

    /** The dimensions of a bucket. */
    public record Dimensions(String apiUser, String label, String domain) {
    }

    private StatsKeys() {
    }

    /** The grouping key of a bucket's dimensions. */
    public static String dimensions(final String apiUser, final String label, final String domain) {
        return escape(apiUser) + '|' + escape(label) + '|' + escape(domain);
    }

    /** The inverse of {@link #dimensions(String, String, String)}. */
    public static Dimensions parseDimensions(final String key) {
        final List<String> parts = split(key);
        if (parts.size() != 3) {
            throw new IllegalArgumentException("not a statistics dimensions key: " + key);
        }
        return new Dimensions(parts.get(0), parts.get(1), parts.get(2));
    }

    /** The key of a bucket on {@code mail.stats}, e.g. {@code day|2026-12-03T00:00:00Z|api_user||example.com}. */
    public static String of(final StatsPeriod period, final Instant start, final String apiUser, final String label,
            final String domain) {
        return period.name() + '|' + start + '|' + dimensions(apiUser, label, domain);
    }

    private static String escape(final String part) {
        return part.replace("%", "%25").replace("|", "%7C");
    }

    private static String unescape(final String part) {
        return part.replace("%7C", "|").replace("%25", "%");
    }

    private static List<String> split(final String key) {
        final List<String> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) == '|') {
                parts.add(unescape(key.substring(from, i)));
                from = i + 1;
            }
        }
        return parts;
    }
}
