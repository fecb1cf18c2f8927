package dev.mailpipe.deliverer.queue;

import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.platform.EnvConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./mailpipe queue [--by domain|mx|account|stage] [--watch]}: what is deferred now in the
 * retry topics, per destination and stage, with the oldest age and the last error, and the lag of
 * every consumer group — {@code mailq}/{@code qshape} for mailpipe. Reads Kafka only, commits
 * nothing. Exit codes: 0 done, 1 Kafka error, 2 bad arguments.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the emails deferred now in the retry topics (mail.outbound.retry-*) per destination and"
                + " retry stage, with the oldest age and the last error, and the lag of every consumer group.")
public final class QueueCli implements Callable<Integer> {

    /** The deliverer's default group, as {@code MAILPIPE_DELIVERER_GROUP_ID} leaves it. */
    static final String DEFAULT_GROUP = "mailpipe-mx-deliverer";
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT", description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;
    @Option(names = "--by", paramLabel = "KEY", defaultValue = "domain", converter = ByConverter.class,
            description = "One row per: domain (recipient domain), mx (MX host of the last attempt), account (API user)"
                    + " or stage (retry topic) (default: ${DEFAULT-VALUE}).")
    QueueBy by;
    @Option(names = {"-w", "--watch"}, description = "Print again every --interval until interrupted.")
    boolean watch;
    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "Time between two prints with --watch (default: ${DEFAULT-VALUE}).")
    String interval;
    @Option(names = "--group", paramLabel = "GROUP",
            description = "The deliverer's consumer group, whose committed offsets separate waiting from done "
                    + "(default: $MAILPIPE_DELIVERER_GROUP_ID, else " + DEFAULT_GROUP + ").")
    String group;
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Longest wait for one Kafka request, or for a read to make progress (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private Clock clock = Clock.systemUTC();
    private boolean terminal;
    private Pause pause = Pause.SLEEP;

    /** How {@code --watch} waits between prints; false stops the watch. */
    @FunctionalInterface
    interface Pause {
        Pause SLEEP = interval -> {
            Thread.sleep(interval);
            return true;
        };

        boolean await(Duration interval) throws InterruptedException;
    }

    /** Runs the CLI with the system clock; returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        return run(args, env, Clock.systemUTC(), Pause.SLEEP, false, out, err);
    }

    /** Runs the CLI; ages count from {@code clock}; {@code terminal}: clear the screen before each --watch print. */
    static int run(final String[] args, final Map<String, String> env, final Clock clock, final Pause pause,
            final boolean terminal, final PrintWriter out, final PrintWriter err) {
        final QueueCli cli = new QueueCli();
        cli.env = env;
        cli.clock = clock;
        cli.pause = pause;
        cli.terminal = terminal;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), Clock.systemUTC(), Pause.SLEEP, System.console() != null,
                Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    @Override
    public Integer call() throws InterruptedException {
        final CommandLine cmd = spec.commandLine();
        final Duration requestTimeout = duration(cmd, "--timeout", timeout);
        final Duration every = duration(cmd, "--interval", interval);
        final String bootstrap = Cli.bootstrapServers(bootstrapServers, env);
        final PrintWriter out = cmd.getOut();
        try (QueueSource source = new KafkaQueueSource(bootstrap, delivererGroup(), requestTimeout, clock)) {
            do {
                final QueueSnapshot snapshot = source.read();
                if (watch && terminal) {
                    out.print(CLEAR_SCREEN);
                }
                out.print(QueueTable.render(snapshot, by, clock.instant()));
                if (watch) {
                    out.printf("(every %s; Ctrl-C to stop)%n", Durations.format(every));
                }
                out.flush();
            } while (watch && pause.await(every));
        } catch (final KafkaException | QueueException e) {
            throw new QueueException("Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
        return 0;
    }

    private String delivererGroup() {
        if (group != null && !group.isBlank()) {
            return group.strip();
        }
        final String configured = EnvConfig.fromEnvironment(env).get(MxDelivererConfig.GROUP_ID);
        return configured != null && !configured.isBlank() ? configured.strip() : DEFAULT_GROUP;
    }

    private static Duration duration(final CommandLine cmd, final String option, final String literal) {
        try {
            final Duration d = Durations.parse(literal);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(cmd, option + ": " + e.getMessage(), e);
        }
    }

    /** {@code --by} in any case, with an error that lists the choices. */
    static final class ByConverter implements CommandLine.ITypeConverter<QueueBy> {
        @Override
        public QueueBy convert(final String value) {
            try {
                return QueueBy.parse(value);
            } catch (final IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
