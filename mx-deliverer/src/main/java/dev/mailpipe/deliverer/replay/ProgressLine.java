package dev.mailpipe.deliverer.replay;

import java.time.Duration;
import java.util.Locale;

/** The plain progress line printed when the output is not a terminal (pure). */
final class ProgressLine {

    /** What a {@link ReplayProgress} said at one moment ({@code nanos}: a monotonic clock). */
    record Snapshot(String phase, long scanned, long total, long selected, long sent, long nanos) {

        static Snapshot of(final ReplayProgress p, final long nanos) {
            return new Snapshot(p.phase(), p.scanned(), p.total(), p.selected(), p.sent(), nanos);
        }
    }

    private ProgressLine() {
    }

    /**
     * {@code reading mail.outbound: 4,200/10,000 offsets (42%), selected 120, sent 80 (40/s), ETA 2m25s}.
     * Rates and the ETA come from the change since {@code before} (the previous line); the ETA is
     * that of the current read, from its rate.
     */
    static String format(final Snapshot now, final Snapshot before) {
        final StringBuilder b = new StringBuilder("reading ").append(now.phase()).append(": ")
                .append(String.format(Locale.ROOT, "%,d/%,d offsets", now.scanned(), now.total()));
        if (now.total() > 0) {
            b.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, now.scanned() * 100 / now.total())));
        }
        b.append(", selected ").append(now.selected()).append(", sent ").append(now.sent());
        final double seconds = (now.nanos() - before.nanos()) / 1e9;
        final boolean samePhase = now.phase().equals(before.phase()) && now.total() == before.total();
        if (seconds > 0) {
            b.append(String.format(Locale.ROOT, " (%.0f/s)", Math.max(0, now.sent() - before.sent()) / seconds));
        }
        final double scanRate = samePhase && seconds > 0 ? (now.scanned() - before.scanned()) / seconds : 0;
        final long left = Math.max(0, now.total() - now.scanned());
        if (left == 0) {
            b.append(", ETA 0s");
        } else if (scanRate > 0) {
            b.append(", ETA ").append(duration(Duration.ofSeconds((long) Math.ceil(left / scanRate))));
        } else {
            b.append(", ETA ?");
        }
        return b.toString();
    }

    static String duration(final Duration d) {
        final long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 > 0 ? s % 60 + "s" : "");
        }
        return s / 3600 + "h" + (s % 3600 / 60 > 0 ? s % 3600 / 60 + "m" : "");
    }
}
