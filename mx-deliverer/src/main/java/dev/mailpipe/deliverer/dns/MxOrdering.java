package dev.mailpipe.deliverer.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/** RFC 5321 §5.1: lowest preference first; hosts of equal preference in random order to spread load. */
public final class MxOrdering {

    private MxOrdering() {
    }

    public static List<MxRecord> order(final List<MxRecord> records, final RandomGenerator random) {
        final List<MxRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(MxRecord::preference));
        final List<MxRecord> result = new ArrayList<>(sorted.size());
        int start = 0;
        while (start < sorted.size()) {
            int end = start + 1;
            while (end < sorted.size() && sorted.get(end).preference() == sorted.get(start).preference()) {
                end++;
            }
            final List<MxRecord> group = new ArrayList<>(sorted.subList(start, end));
            Collections.shuffle(group, random instanceof Random r ? r : Random.from(random));
            result.addAll(group);
            start = end;
        }
        return result;
    }

    /** RFC 7505: a single MX with exchange "." means the domain accepts no mail. */
    public static boolean isNullMx(final List<MxRecord> records) {
        return records.stream().anyMatch(r -> r.host().isEmpty() || r.host().equals("."));
    }
}
