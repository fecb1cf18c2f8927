package dev.mailpipe.deliverer.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Counts by key for the dry run's summary (pure), with at most {@code maxKeys} distinct keys —
 * later new keys count under {@code overflow} — so a replay to a million domains stays small.
 */
final class Tally {

    private static final Pattern ADDRESS = Pattern.compile("<?[^\\s<>@]+@[^\\s<>]+>?");
    private static final Pattern IP = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    private static final Pattern ATTEMPTS = Pattern.compile("\\b\\d+ attempt\\(s\\)");
    // queue ids, timestamps, tokens: a run of 8+ word characters with a digit among them
    private static final Pattern TOKEN = Pattern.compile("\\b(?=\\w*\\d)\\w{8,}\\b");

    private final int maxKeys;
    private final String overflow;
    private final Map<String, long[]> counts = new HashMap<>();

    Tally(final int maxKeys, final String overflow) {
        this.maxKeys = maxKeys;
        this.overflow = overflow;
    }

    void add(final String key) {
        final String k = key == null ? "(none)" : key;
        long[] c = counts.get(k);
        if (c == null) {
            if (counts.size() < maxKeys) {
                c = new long[1];
                counts.put(k, c);
            } else {
                c = counts.computeIfAbsent(overflow, x -> new long[1]);
            }
        }
        c[0]++;
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    /** The {@code n} largest counts, largest first (ties by key), then one "… N more" line's worth. */
    List<Map.Entry<String, Long>> top(final int n) {
        final List<Map.Entry<String, Long>> all = new ArrayList<>();
        counts.forEach((k, v) -> all.add(Map.entry(k, v[0])));
        all.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        if (all.size() <= n) {
            return all;
        }
        long rest = 0;
        for (final Map.Entry<String, Long> e : all.subList(n, all.size())) {
            rest += e.getValue();
        }
        final List<Map.Entry<String, Long>> shown = new ArrayList<>(all.subList(0, n));
        shown.add(Map.entry("(" + (all.size() - n) + " more)", rest));
        return shown;
    }

    /**
     * A reason with what differs per email taken out (addresses, IPs, attempt counts, queue ids),
     * so that the same cause counts as one line; at most 120 characters.
     */
    static String reasonKey(final String reason) {
        if (reason == null || reason.isBlank()) {
            return "(no reason)";
        }
        String r = ADDRESS.matcher(reason.strip()).replaceAll("<address>");
        r = IP.matcher(r).replaceAll("<ip>");
        r = ATTEMPTS.matcher(r).replaceAll("N attempt(s)");
        r = TOKEN.matcher(r).replaceAll("…");
        return r.length() <= 120 ? r : r.substring(0, 119) + "…";
    }
}
