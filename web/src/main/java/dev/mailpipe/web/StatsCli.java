package dev.mailpipe.web;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.platform.stats.StatsCounts;
import dev.mailpipe.platform.stats.StatsQuery;
import dev.mailpipe.platform.stats.StatsRow;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.StatsPeriod;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./mailpipe stats ...}: the delivery statistics of {@code mail.stats} (what statDay and
 * statHour answer) as a table, read without a consumer group. Exit codes: 0 done, 1 Kafka error,
 * 2 bad arguments.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print delivery statistics (mail.stats): requests, deliveries, deferrals, bounces, drops,",
            "opens and clicks per UTC day or hour, account and label (and recipient domain with --per-domain)."})
public final class StatsCli implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT", description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;
    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "7d",
            description = "First UTC day: a date (2026-11-23) or a duration before now (12h, 7d; default: ${DEFAULT-VALUE}).")
    String since;
    @Option(names = "--until", paramLabel = "DATE", description = "Last UTC day, included (default: today).")
    String until;
    @Option(names = "--by", paramLabel = "hour|day", defaultValue = "day",
            description = "One row per hour or per day (default: ${DEFAULT-VALUE}).")
    String by;
    @Option(names = "--account", split = ",", paramLabel = "API_USER", description = "Only these accounts.")
    List<String> accounts = List.of();
    @Option(names = "--label", split = ",", paramLabel = "LABEL", description = "Only these labels.")
    List<String> labels = List.of();
    @Option(names = "--domain", split = ",", paramLabel = "DOMAIN", description = "Only these recipient domains.")
    List<String> domains = List.of();
    @Option(names = "--per-domain", description = "One row per recipient domain too.")
    boolean perDomain;
    @Option(names = "--total", description = "One line: everything selected summed.")
    boolean total;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private Clock clock = Clock.systemUTC();

    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        return run(args, env, Clock.systemUTC(), out, err);
    }

    static int run(final String[] args, final Map<String, String> env, final Clock clock, final PrintWriter out,
            final PrintWriter err) {
        final StatsCli cli = new StatsCli();
        cli.env = env;
        cli.clock = clock;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    @Override
    public Integer call() {
        final CommandLine cmd = spec.commandLine();
        final StatsQuery query = query(cmd);
        final String bootstrap = Cli.bootstrapServers(bootstrapServers, env);
        final Collection<DeliveryStats> buckets;
        try (CompactedTable<DeliveryStats> table = CompactedTable.readOnly(bootstrap, "mailpipe-stats-cli",
                Topics.STATS.name(), Topics.STATS.valueSerde())) {
            buckets = new ArrayList<>(table.all().values());
        } catch (final KafkaException | IllegalStateException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
        final PrintWriter out = cmd.getOut();
        if (total) {
            out.println(header(false, false));
            out.println(line("total", query.total(buckets), false, null));
            return 0;
        }
        final List<StatsRow> rows = query.rows(buckets);
        out.println(header(query.period() == StatsPeriod.hour, perDomain));
        for (final StatsRow r : rows) {
            final String when = r.hour() >= 0 ? r.date() + String.format(Locale.ROOT, " %02d:00", r.hour())
                    : r.date().toString();
            out.println(line(when + "  " + r.apiUser() + "  " + (r.label().isEmpty() ? "-" : r.label()), r.counts(),
                    perDomain, r.domain()));
        }
        if (rows.isEmpty()) {
            out.println("(no statistics in " + query.from() + " .. " + query.to() + ")");
        }
        return 0;
    }

    private StatsQuery query(final CommandLine cmd) {
        final LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        final StatsPeriod period = switch (by.toLowerCase(Locale.ROOT)) {
            case "hour" -> StatsPeriod.hour;
            case "day" -> StatsPeriod.day;
            default -> throw new ParameterException(cmd, "--by must be hour or day, not " + by);
        };
        try {
            return new StatsQuery(period, firstDay(since, today), until == null ? today : LocalDate.parse(until),
                    new HashSet<>(accounts), new HashSet<>(labels), new HashSet<>(domains), perDomain);
        } catch (final DateTimeParseException e) {
            throw new ParameterException(cmd, "--until: not a date (yyyy-MM-dd): " + until, e);
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage(), e);
        }
    }

    /** A date, or the UTC day a duration before now falls on. */
    private LocalDate firstDay(final String value, final LocalDate today) {
        try {
            return LocalDate.parse(value.strip());
        } catch (final DateTimeParseException notADate) {
            try {
                return LocalDate.ofInstant(clock.instant().minus(Durations.parse(value)), ZoneOffset.UTC);
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("--since: neither a date (yyyy-MM-dd) nor a duration (7d): " + value);
            }
        }
    }

    private static String header(final boolean hourly, final boolean perDomain) {
        return String.format(Locale.ROOT, "%-" + (hourly ? 16 : 10) + "s  %s%s", hourly ? "hour (UTC)" : "day (UTC)",
                "account  label", perDomain ? "  domain" : "")
                + "  | request delivered deferred bounced(hard) dropped invalid open(unique) click(unique) unsub spam"
                + " delivered%";
    }

    private static String line(final String what, final StatsCounts c, final boolean perDomain, final String domain) {
        return what + (perDomain ? "  " + (domain == null || domain.isEmpty() ? "-" : domain) : "")
                + String.format(Locale.ROOT, "  | %d %d %d %d(%d) %d %d %d(%d) %d(%d) %d %d %.2f", c.request(),
                        c.delivered(), c.deferred(), c.bounced(), c.hardBounced(), c.dropped(), c.invalid(), c.open(),
                        c.uniqueOpen(), c.click(), c.uniqueClick(), c.unsubscribe(), c.spamReport(),
                        StatsCounts.percent(c.delivered(), c.request()));
    }
}
