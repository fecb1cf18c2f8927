package dev.mailpipe.embedded;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.schemas.EventType;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./mailpipe events ...}: prints the delivery events of {@code mail.delivery-events} as
 * JSON lines (see {@link EventJson}), for analytics and debugging. Reads without a consumer group
 * and commits nothing. Exit codes: 0 done, 1 Kafka error, 2 bad arguments.
 */
@Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print delivery events (" + "mail.delivery-events" + ") as JSON lines on stdout.",
            "Without --from-beginning or --since it starts at the end, so it prints only with --follow."})
public final class EventsCli implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
            description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;

    @ArgGroup(exclusive = true)
    Start start;

    static final class Start {
        @Option(names = "--from-beginning", description = "Start at the first retained event (default: at the end).")
        boolean fromBeginning;
        @Option(names = "--since", paramLabel = "WHEN",
                description = "Start at events at or after an ISO-8601 instant (2026-11-23T08:00:00Z) or a duration before now (30m, 1h, 7d).")
        String since;
    }

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted (default: stop at the end seen at start).")
    boolean follow;
    @Option(names = "--type", split = ",", paramLabel = "TYPE",
            description = "Only these types, comma-separated: ${COMPLETION-CANDIDATES}.")
    List<EventType> types = List.of();
    @Option(names = "--message-id", paramLabel = "ID", description = "Only events of this message (submission).")
    String messageId;
    @Option(names = "--email-id", paramLabel = "ID", description = "Only events of this email (one recipient).")
    String emailId;
    @Option(names = "--api-user", paramLabel = "API_USER", description = "Only this API user's events.")
    String apiUser;
    @Option(names = "--max", paramLabel = "N", description = "Stop after printing N events.")
    Long max;
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Longest wait for one Kafka request, or for a read to make progress (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private Clock clock = Clock.systemUTC();

    /** Runs the CLI with the system clock; returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        return run(args, env, Clock.systemUTC(), out, err);
    }

    /** Runs the CLI; a duration in --since counts back from {@code clock}. Returns the exit code. */
    static int run(final String[] args, final Map<String, String> env, final Clock clock, final PrintWriter out,
            final PrintWriter err) {
        final EventsCli cli = new EventsCli();
        cli.env = env;
        cli.clock = clock;
        final CommandLine commandLine = new CommandLine(cli);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return Cli.execute(commandLine, args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    @Override
    public Integer call() {
        final CommandLine cmd = spec.commandLine();
        final StartPosition position = startPosition(cmd);
        final Duration wait = duration(cmd);
        if (max != null && max <= 0) {
            throw new ParameterException(cmd, "--max must be at least 1, was " + max);
        }
        final Set<EventType> wanted = types.isEmpty() ? Set.of() : EnumSet.copyOf(types);
        final EventFilter filter = new EventFilter(wanted, messageId, emailId, apiUser);
        final String bootstrap = bootstrap();
        try (EventReader reader = new EventReader(bootstrap, wait)) {
            reader.read(position, filter, follow, max == null ? 0 : max, cmd.getOut(), cmd.getErr(),
                    () -> Thread.currentThread().isInterrupted());
            return 0;
        } catch (final KafkaException e) {
            throw new EventsException("Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    private StartPosition startPosition(final CommandLine cmd) {
        if (start == null) {
            return new StartPosition.End();
        }
        if (start.fromBeginning) {
            return new StartPosition.Beginning();
        }
        try {
            return StartPosition.since(start.since, clock.instant());
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(cmd, "--since: " + e.getMessage(), e);
        }
    }

    private Duration duration(final CommandLine cmd) {
        try {
            return Durations.parse(timeout);
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(cmd, "--timeout: " + e.getMessage(), e);
        }
    }

    private String bootstrap() {
        return Cli.bootstrapServers(bootstrapServers, env);
    }

    /** A Kafka failure, with the cluster named; the CLI prints its message and exits 1. */
    static final class EventsException extends RuntimeException {
        EventsException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
