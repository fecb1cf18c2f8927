package dev.mailpipe.deliverer.replay;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a running replay's {@link ReplayProgress} from a daemon thread: on a terminal a progress
 * bar (me.tongfei:progressbar, on stderr) per topic read, with offsets read/total, rate and ETA and
 * the selected and sent counts; otherwise a plain {@link ProgressLine} every {@code every}, so a
 * log keeps a readable history. Only reads the progress; the replay never waits for it.
 */
final class ProgressReporter implements AutoCloseable {

    /** How progress is shown ({@code --progress}). */
    enum Mode { AUTO, BAR, LINES, NONE }

    private static final long BAR_TICK_MS = 200;

    private final ReplayProgress progress;
    private final ScheduledExecutorService ticker;
    private final Consumer<String> barSink;
    private final PrintWriter lines;
    private ProgressLine.Snapshot last;
    private ProgressBar bar;
    private String barPhase;
    private long barTotal;

    private ProgressReporter(final ReplayProgress progress, final Consumer<String> barSink, final PrintWriter lines) {
        this.progress = progress;
        this.barSink = barSink;
        this.lines = lines;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        this.last = ProgressLine.Snapshot.of(progress, System.nanoTime());
    }

    /**
     * Starts showing {@code progress}.
     *
     * @param barSink where a bar's renderings go; null for the terminal (stderr)
     */
    static ProgressReporter start(final Mode mode, final ReplayProgress progress, final Duration every,
            final PrintWriter err, final Consumer<String> barSink) {
        final Mode m = mode == Mode.AUTO ? (isTerminal() ? Mode.BAR : Mode.LINES) : mode;
        final ProgressReporter reporter = new ProgressReporter(progress, m == Mode.BAR ? barSink : null,
                m == Mode.LINES ? err : null);
        switch (m) {
            case BAR -> reporter.ticker.scheduleWithFixedDelay(reporter::tickBar, BAR_TICK_MS, BAR_TICK_MS,
                    TimeUnit.MILLISECONDS);
            case LINES -> reporter.ticker.scheduleAtFixedRate(reporter::tickLine, every.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
            default -> { }
        }
        return reporter;
    }

    /**
     * Whether stdout is a terminal. {@code System.console()} is null when it is not up to Java 21;
     * from 22 on it may be a console that is not a terminal, which {@code isTerminal()} tells.
     */
    static boolean isTerminal() {
        final Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (final ReflectiveOperationException e) {
            return true; // Java 21: a console is a terminal
        }
    }

    private void tickLine() {
        try {
            final ProgressLine.Snapshot now = ProgressLine.Snapshot.of(progress, System.nanoTime());
            lines.println(ProgressLine.format(now, last));
            lines.flush();
            last = now;
        } catch (final RuntimeException e) {
            // a display must never stop the replay; the next tick tries again
        }
    }

    private void tickBar() {
        try {
            final String phase = progress.phase();
            final long total = progress.total();
            if (bar == null || !phase.equals(barPhase) || total != barTotal) {
                closeBar();
                final ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" offsets", 1).showSpeed()
                        .setUpdateIntervalMillis((int) BAR_TICK_MS);
                if (barSink != null) {
                    b.setConsumer(new DelegatingProgressBarConsumer(barSink));
                }
                bar = b.build();
                barPhase = phase;
                barTotal = total;
            }
            bar.stepTo(progress.scanned());
            bar.setExtraMessage("selected " + progress.selected() + ", sent " + progress.sent());
        } catch (final RuntimeException e) {
            // as above
        }
    }

    private void closeBar() {
        if (bar != null) {
            bar.stepTo(progress.phase().equals(barPhase) ? progress.scanned() : barTotal);
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        ticker.shutdown();
        try {
            ticker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeBar();
    }
}
