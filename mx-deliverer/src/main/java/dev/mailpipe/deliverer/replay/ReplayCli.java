package dev.mailpipe.deliverer.replay;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ./mailpipe replay dlt|bounced ...}: re-sends emails that expired or bounced in a time
 * window by copying them back to {@code mail.outbound}. Exit codes: 0 done, 1 Kafka error,
 * 2 bad arguments.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-send emails that expired (dead letters) or bounced in a time window.",
        subcommands = {ReplayCli.DeadLetters.class, ReplayCli.Bounced.class})
public final class ReplayCli implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code 128 + SIGINT}: the replay was stopped (Ctrl-C) after flushing what it had sent. */
    public static final int STOPPED = 130;

    private Map<String, String> env = Map.of();
    private Clock clock = Clock.systemUTC();
    private String[] args = new String[0];
    private ReplayProgress progress = new ReplayProgress();
    private BooleanSupplier stop = () -> false;
    private Consumer<String> barSink;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the CLI with the system clock; returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        return run(args, env, Clock.systemUTC(), out, err);
    }

    /** Runs the CLI; durations in --since/--until count back from {@code clock}. Returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final Clock clock, final PrintWriter out,
            final PrintWriter err) {
        return run(args, env, clock, out, err, new ReplayProgress(), () -> false);
    }

    /**
     * Runs the CLI, stopping cleanly once {@code stop} says so (as Ctrl-C does); {@code progress}
     * follows the replay. Returns the exit code, {@link #STOPPED} after a stop.
     */
    static int run(final String[] args, final Map<String, String> env, final Clock clock, final PrintWriter out,
            final PrintWriter err, final ReplayProgress progress, final BooleanSupplier stop) {
        return run(args, env, clock, out, err, progress, stop, null);
    }

    /** As above; a progress bar ({@code --progress bar}) renders to {@code barSink} instead of the terminal. */
    static int run(final String[] args, final Map<String, String> env, final Clock clock, final PrintWriter out,
            final PrintWriter err, final ReplayProgress progress, final BooleanSupplier stop,
            final Consumer<String> barSink) {
        final ReplayCli cli = new ReplayCli();
        cli.barSink = barSink;
        cli.env = env;
        cli.clock = clock;
        cli.args = args.clone();
        cli.progress = progress;
        cli.stop = stop;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C runs the hook while the replay goes on: ask it to stop and wait until it has flushed
        // its writes and printed how to resume; the JVM exits (130) when the hook returns
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            interrupted.set(true);
            try {
                done.await(5, TimeUnit.MINUTES);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "replay-stop"));
        final int code = run(args, System.getenv(), Clock.systemUTC(), new PrintWriter(System.out),
                new PrintWriter(System.err), new ReplayProgress(), interrupted::get);
        done.countDown();
        System.exit(code);
    }

    /**
     * The command that resumes a replay: the same arguments with the window as the instants it was
     * resolved to ({@code --since 2h} would mean another window later) and the replay's id.
     */
    static String resumeCommand(final String[] args, final TimeWindow window, final String replayId) {
        final List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("--since") || a.equals("--until") || a.equals("--replay-id")) {
                i++; // and its value
            } else if (!a.startsWith("--since=") && !a.startsWith("--until=") && !a.startsWith("--replay-id=")) {
                kept.add(a);
            }
        }
        kept.addAll(List.of("--since", window.since().toString(), "--until", window.until().toString(),
                "--replay-id", replayId));
        final StringBuilder command = new StringBuilder("./mailpipe replay");
        for (final String a : kept) {
            command.append(' ').append(a.matches("[A-Za-z0-9@%+=:,./_-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return command.toString();
    }

    /** Options both subcommands share. */
    static final class Common {
        @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
                description = Cli.BOOTSTRAP_SERVERS_HELP)
        String bootstrapServers;
        @Option(names = "--since", required = true, paramLabel = "WHEN",
                description = "Window start: an ISO-8601 instant (2026-11-23T08:00:00Z) or a duration before now (30m, 2h, 7d).")
        String since;
        @Option(names = "--until", paramLabel = "WHEN", description = "Window end, exclusive; same forms (default: now).")
        String until;
        @Option(names = {"--account", "--api-user"}, paramLabel = "API_USER", description = "Only this account's (API user's) emails.")
        String apiUser;
        @Option(names = "--label", paramLabel = "LABEL_ID", description = "Only emails with this label id.")
        String label;
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only emails to this recipient domain.")
        String domain;
        @Option(names = "--status", paramLabel = "CODE",
                description = "Only outcomes whose enhanced status code starts with this (5.1.1, 5.7, 4).")
        String status;
        @Option(names = "--reason", paramLabel = "TEXT",
                description = "Only outcomes whose reason contains this text (case-insensitive).")
        String reason;
        @Option(names = "--task", paramLabel = "TASK_ID", description = "Only emails of this address-list task (maillistTaskId).")
        String task;
        @Option(names = "--ids-file", paramLabel = "FILE",
                description = "Only the messageIds or emailIds in this file, one a line (# comments and blank lines skipped).")
        Path idsFile;
        @Option(names = "--dry-run", description = "Print what would be replayed; write nothing.")
        boolean dryRun;
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                description = "Longest wait for one Kafka request, or for a read to make progress (default: ${DEFAULT-VALUE}).")
        String timeout;
        @Option(names = "--include-retrying",
                description = "Also re-send emails whose latest event is deferred (the deliverer still retries them).")
        boolean includeRetrying;
        @Option(names = "--rate", paramLabel = "N/s",
                description = "Send at most this many emails per second (or N/m, N/h), so the destinations are not swamped"
                        + " (default: as fast as Kafka takes them).")
        String rate;
        @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
                description = "How progress is shown on stderr: a bar on a terminal, plain lines otherwise (auto), or"
                        + " as said (default: ${DEFAULT-VALUE}).")
        String progressMode;
        @Option(names = "--progress-every", paramLabel = "DURATION", defaultValue = "10s",
                description = "How often a plain progress line is printed (default: ${DEFAULT-VALUE}).")
        String progressEvery;
        @Option(names = "--replay-id", paramLabel = "ID",
                description = "Resume the replay with this id: the emails it already sent are skipped (default: a new id).")
        String replayId;
        @Option(names = "--max-selected", paramLabel = "N", defaultValue = "1000000",
                description = "Most candidate emails a replay holds (about 44 bytes of heap each); more fails before"
                        + " anything is sent (default: ${DEFAULT-VALUE}).")
        int maxSelected;

        ProgressReporter.Mode progressMode(final CommandLine cmd) {
            try {
                return ProgressReporter.Mode.valueOf(progressMode.strip().toUpperCase(Locale.ROOT));
            } catch (final IllegalArgumentException e) {
                throw new ParameterException(cmd, "--progress: auto, bar, lines or none: '" + progressMode + "'", e);
            }
        }

        Duration progressEvery(final CommandLine cmd) {
            final Duration every = duration(cmd, "--progress-every", progressEvery);
            if (every.toMillis() < 1) {
                throw new ParameterException(cmd, "--progress-every must be at least 1ms: " + progressEvery);
            }
            return every;
        }

        Replayer.Options options(final CommandLine cmd, final Clock clock) {
            progressMode(cmd);
            progressEvery(cmd);
            if (maxSelected < 1) {
                throw new ParameterException(cmd, "--max-selected must be at least 1: " + maxSelected);
            }
            try {
                final String id = replayId == null ? ReplayId.generate(clock.instant()) : ReplayId.validate(replayId);
                return new Replayer.Options(dryRun, includeRetrying, maxSelected, id, replayId != null,
                        rate == null ? 0 : RateLimit.parse(rate));
            } catch (final IllegalArgumentException e) {
                throw new ParameterException(cmd, e.getMessage(), e);
            }
        }

        Duration timeout(final CommandLine cmd) {
            return duration(cmd, "--timeout", timeout);
        }

        /** The selector of these options; also validates {@code --timeout}, so bad arguments fail before any output. */
        ReplaySelector selector(final CommandLine cmd, final Clock clock, final Set<EventType> types,
                final BounceClass bounceClass) {
            timeout(cmd);
            try {
                return new ReplaySelector(TimeWindow.parse(since, until, clock.instant()), blankToNull(apiUser),
                        blankToNull(label), blankToNull(domain), bounceClass, blankToNull(status), blankToNull(reason),
                        blankToNull(task), ids(cmd), types);
            } catch (final IllegalArgumentException | UncheckedIOException e) {
                throw new ParameterException(cmd, e.getMessage(), e);
            }
        }

        /** The ids of {@code --ids-file} as fingerprints, bounded like the selection. */
        private ReplaySelector.Ids ids(final CommandLine cmd) {
            if (idsFile == null) {
                return null;
            }
            final SelectedEmails ids = new SelectedEmails(Math.max(1, maxSelected));
            try {
                if (IdsFile.read(idsFile, ids::add) == 0) {
                    throw new ParameterException(cmd, "--ids-file " + idsFile + " holds no ids");
                }
            } catch (final SelectedEmails.TooManyException e) {
                throw new ParameterException(cmd, "--ids-file " + idsFile + " holds more than " + maxSelected
                        + " ids (--max-selected)", e);
            }
            return ids::contains;
        }

        private static String blankToNull(final String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        /**
         * Runs a replay, naming the cluster in Kafka client errors (a timeout alone does not say
         * where), and printing how to resume after a failure or a stop.
         */
        int run(final CommandLine cmd, final ReplayCli cli, final ReplaySelector selector, final Replayer.Options options,
                final String topic, final Function<Replayer, Replayer.Result> replay) {
            final PrintWriter out = cmd.getOut();
            out.println("window: " + selector.window().since() + " .. " + selector.window().until());
            out.println("replay id: " + options.replayId() + (options.resume() ? " (resumed)" : ""));
            out.flush();
            final String resume = resumeCommand(cli.args, selector.window(), options.replayId());
            final Replayer.Result result;
            try (Replayer replayer = new Replayer(bootstrap(cli.env), timeout(cmd), out, cmd.getErr(), cli.progress,
                    cli.stop);
                    ProgressReporter shown = ProgressReporter.start(progressMode(cmd), cli.progress, progressEvery(cmd),
                            cmd.getErr(), cli.barSink)) {
                result = replay.apply(replayer);
            } catch (final SelectedEmails.TooManyException e) {
                throw new ReplayException(e.getMessage(), e);
            } catch (final KafkaException e) {
                throw new ReplayException("Kafka at " + bootstrap(cli.env) + ": " + e.getMessage() + "\nto resume: "
                        + resume, e);
            } catch (final ReplayException e) {
                throw new ReplayException(e.getMessage() + "\nto resume: " + resume, e);
            }
            print(out, topic, result, options.dryRun());
            if (result.stopped()) {
                out.println("stopped: " + result.replayed() + " sent and acknowledged by Kafka; nothing is lost and"
                        + " nothing is sent twice if you resume with:");
                out.println("  " + resume);
                out.flush();
                return STOPPED;
            }
            return 0;
        }

        String bootstrap(final Map<String, String> env) {
            return Cli.bootstrapServers(bootstrapServers, env);
        }
    }

    @Command(name = "dlt", mixinStandardHelpOptions = true,
            description = "Copy emails that expired in the window from " + "mail.outbound.dlt" + " back to mail.outbound.")
    static final class DeadLetters implements Callable<Integer> {
        @ParentCommand
        ReplayCli parent;
        @Mixin
        Common common;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final ReplaySelector selector = common.selector(spec.commandLine(), parent.clock, Set.of(), null);
            final Replayer.Options options = common.options(spec.commandLine(), parent.clock);
            return common.run(spec.commandLine(), parent, selector, options, Topics.OUTBOUND_DLT.name(),
                    replayer -> replayer.replayDeadLetters(selector, options));
        }
    }

    @Command(name = "bounced", mixinStandardHelpOptions = true,
            description = "Re-send emails with a bounced (and optionally deferred) event in the window,"
                    + " taking them from mail.outbound.")
    static final class Bounced implements Callable<Integer> {
        @ParentCommand
        ReplayCli parent;
        @Mixin
        Common common;
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--include-deferred", description = "Also take emails with a deferred event in the window"
                + " (those that then bounced or expired; with --include-retrying also those still retrying).")
        boolean includeDeferred;
        @Option(names = "--bounce-class", paramLabel = "hard|soft",
                description = "Only bounces of this class (hard: the address does not exist; soft: the rest).")
        BounceClass bounceClass;
        @Option(names = "--lookback", paramLabel = "DURATION", defaultValue = "7d",
                description = "How far before --since to look for the emails on mail.outbound (default: ${DEFAULT-VALUE}).")
        String lookback;

        @Override
        public Integer call() {
            final Set<EventType> types = includeDeferred ? EnumSet.of(EventType.bounced, EventType.deferred)
                    : EnumSet.of(EventType.bounced);
            final ReplaySelector selector = common.selector(spec.commandLine(), parent.clock, types, bounceClass);
            final Duration back = duration(spec.commandLine(), "--lookback", lookback);
            final Replayer.Options options = common.options(spec.commandLine(), parent.clock);
            return common.run(spec.commandLine(), parent, selector, options, Topics.OUTBOUND.name(),
                    replayer -> replayer.replayFromEvents(selector, back, options));
        }
    }

    private static Duration duration(final CommandLine cmd, final String option, final String literal) {
        try {
            return Durations.parse(literal);
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(cmd, option + ": " + e.getMessage(), e);
        }
    }

    private static void print(final PrintWriter out, final String topic, final Replayer.Result r, final boolean dryRun) {
        out.printf("%s: scanned %d, matched %d, replayed %d%s, missing %d%s%s%s%n", topic, r.scanned(), r.matched(),
                r.replayed(), dryRun ? " (dry run)" : "", r.missing(),
                r.undecodable() > 0 ? ", undecodable " + r.undecodable() : "",
                r.suppressed() > 0 ? ", suppressed " + r.suppressed() : "",
                r.alreadySent() > 0 ? ", already sent by this replay " + r.alreadySent() : "");
        out.flush();
    }
}
