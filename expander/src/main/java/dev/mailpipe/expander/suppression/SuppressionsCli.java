package dev.mailpipe.expander.suppression;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ./mailpipe suppressions add|remove|list|import --account A ...}: the per-account suppression
 * list in the compacted topic {@code mail.suppressions} (key {@code SuppressionKey.of(account, address)},
 * tombstone = removed). The expander drops suppressed recipients; replay skips them.
 */
@Command(name = "suppressions", mixinStandardHelpOptions = true,
        description = "Manage the per-account suppression list (addresses mailpipe does not send to).",
        subcommands = {SuppressionsCli.Add.class, SuppressionsCli.Remove.class, SuppressionsCli.ListEntries.class,
            SuppressionsCli.Import.class})
public final class SuppressionsCli implements Callable<Integer> {

    /** Exit code of {@code remove} when an address was not on the list. */
    static final int NOT_FOUND = 3;

    @Option(names = {"-b", "--bootstrap-servers"},
            description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private InputStream stdin = System.in;
    private Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad arguments, 3 not found). */
    public static int run(final String[] args, final Map<String, String> env, final InputStream stdin,
            final PrintWriter out, final PrintWriter err) {
        final SuppressionsCli cli = new SuppressionsCli();
        cli.env = env;
        cli.stdin = stdin;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), System.in, Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    CompactedTable<Suppression> open() {
        final String bootstrap = Cli.bootstrapServers(bootstrapServers, env);
        TopicProvisioner.ensure(bootstrap, -1, List.of(CompactedTable.topicSpec(Topics.SUPPRESSIONS.name())));
        return CompactedTable.start(bootstrap, "mailpipe-suppressions-cli", Topics.SUPPRESSIONS.name(),
                Topics.SUPPRESSIONS.valueSerde());
    }

    /** A plausible address: one '@' with text on both sides, no spaces or controls. */
    static boolean plausible(final String address) {
        final String a = SuppressionKey.normalise(address);
        final int at = a.lastIndexOf('@');
        if (at <= 0 || at == a.length() - 1 || a.length() > 320) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            final char c = a.charAt(i);
            if (c <= ' ' || c == 0x7f || c == ',' || c == '<' || c == '>') {
                return false;
            }
        }
        return true;
    }

    static SuppressionReason reason(final String text) {
        try {
            final SuppressionReason reason = SuppressionReason.valueOf(text.strip().toLowerCase(Locale.ROOT));
            if (reason != SuppressionReason.unknown) {
                return reason;
            }
        } catch (final IllegalArgumentException e) {
            // below
        }
        throw new IllegalArgumentException("reason must be one of manual, unsubscribe, hard_bounce, spam_report: " + text);
    }

    private Suppression suppression(final String account, final String address, final SuppressionReason reason,
            final String note) {
        return Suppression.newBuilder().setApiUser(account).setAddress(SuppressionKey.normalise(address))
                .setReason(reason).setCreatedAt(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .setSource(note == null || note.isBlank() ? null : note).build();
    }

    /** Options every subcommand takes. */
    static final class Account {
        @Option(names = {"-a", "--account"}, required = true, paramLabel = "API_USER",
                description = "The account (api_user) whose list this is.")
        String account;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Suppress addresses for an account.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        SuppressionsCli parent;
        @CommandLine.Mixin
        Account account;
        @Option(names = "--reason", defaultValue = "manual",
                description = "manual (default), unsubscribe, hard_bounce or spam_report.")
        String reason;
        @Option(names = "--note", description = "Why (stored as the suppression's source).")
        String note;
        @Parameters(arity = "1..*", paramLabel = "ADDRESS")
        List<String> addresses;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final SuppressionReason r = parse(spec, reason);
            for (final String address : addresses) {
                if (!plausible(address)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "not an address: " + address);
                }
            }
            try (CompactedTable<Suppression> table = parent.open()) {
                for (final String address : addresses) {
                    table.put(SuppressionKey.of(account.account, address),
                            parent.suppression(account.account, address, r, note));
                    spec.commandLine().getOut().println("suppressed " + SuppressionKey.normalise(address) + " (" + r + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Take addresses off an account's list; mail to them is sent again.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        SuppressionsCli parent;
        @CommandLine.Mixin
        Account account;
        @Parameters(arity = "1..*", paramLabel = "ADDRESS")
        List<String> addresses;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            int code = 0;
            try (CompactedTable<Suppression> table = parent.open()) {
                for (final String address : addresses) {
                    final String key = SuppressionKey.of(account.account, address);
                    if (table.get(key).isEmpty()) {
                        spec.commandLine().getErr().println("not suppressed: " + SuppressionKey.normalise(address));
                        code = NOT_FOUND;
                        continue;
                    }
                    table.remove(key);
                    spec.commandLine().getOut().println("removed " + SuppressionKey.normalise(address));
                }
            }
            return code;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print an account's suppressed addresses: address, reason, since, source (tab-separated).")
    static final class ListEntries implements Callable<Integer> {
        @ParentCommand
        SuppressionsCli parent;
        @CommandLine.Mixin
        Account account;
        @Option(names = "--reason", description = "Only entries with this reason.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final SuppressionReason only = reason == null ? null : parse(spec, reason);
            final String prefix = SuppressionKey.of(account.account, "");
            try (CompactedTable<Suppression> table = parent.open()) {
                final PrintWriter out = spec.commandLine().getOut();
                table.all().entrySet().stream()
                        .filter(e -> e.getKey().startsWith(prefix))
                        .map(Map.Entry::getValue)
                        .filter(s -> only == null || s.getReason() == only)
                        .sorted(java.util.Comparator.comparing(Suppression::getAddress))
                        .forEach(s -> out.println(s.getAddress() + "\t" + s.getReason() + "\t" + s.getCreatedAt()
                                + "\t" + (s.getSource() == null ? "" : s.getSource().replace('\t', ' ').replace('\n', ' '))));
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Suppress every address in FILE ('-' = standard input): one per line, optionally"
                    + " followed by ',reason'; blank lines and lines starting with # are skipped.")
    static final class Import implements Callable<Integer> {
        @ParentCommand
        SuppressionsCli parent;
        @CommandLine.Mixin
        Account account;
        @Option(names = "--reason", defaultValue = "manual", description = "Reason of lines that name none (default: manual).")
        String reason;
        @Option(names = "--note", description = "Stored as each suppression's source (default: import of FILE).")
        String note;
        @Parameters(index = "0", paramLabel = "FILE")
        String file;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            final SuppressionReason defaultReason = parse(spec, reason);
            final List<String[]> entries = new ArrayList<>();
            int bad = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    file.equals("-") ? parent.stdin : Files.newInputStream(Path.of(file)), StandardCharsets.UTF_8))) {
                String line;
                int number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    final String text = line.strip();
                    if (text.isEmpty() || text.startsWith("#")) {
                        continue;
                    }
                    final String[] fields = text.split("[,\\t]", 2);
                    final String address = fields[0].strip();
                    String why = defaultReason.name();
                    if (fields.length > 1 && !fields[1].isBlank()) {
                        why = fields[1].strip().split("[,\\t]", 2)[0];
                    }
                    try {
                        reason(why);
                    } catch (final IllegalArgumentException e) {
                        spec.commandLine().getErr().println("line " + number + ": " + e.getMessage());
                        bad++;
                        continue;
                    }
                    if (!plausible(address)) {
                        spec.commandLine().getErr().println("line " + number + ": not an address: " + address);
                        bad++;
                        continue;
                    }
                    entries.add(new String[] {address, why});
                }
            }
            final String source = note != null ? note : "import of " + (file.equals("-") ? "standard input" : file);
            try (CompactedTable<Suppression> table = parent.open()) {
                for (final String[] entry : entries) {
                    table.put(SuppressionKey.of(account.account, entry[0]),
                            parent.suppression(account.account, entry[0], reason(entry[1]), source));
                }
            }
            spec.commandLine().getOut().println("imported " + entries.size() + " address(es) for " + account.account
                    + (bad > 0 ? ", skipped " + bad + " bad line(s)" : ""));
            return 0;
        }
    }

    private static SuppressionReason parse(final CommandLine.Model.CommandSpec spec, final String text) {
        try {
            return reason(text);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reason: " + e.getMessage());
        }
    }

    /** For tests: a fixed clock. */
    static int run(final String[] args, final Map<String, String> env, final InputStream stdin, final Clock clock,
            final PrintWriter out, final PrintWriter err) {
        final SuppressionsCli cli = new SuppressionsCli();
        cli.env = env;
        cli.stdin = stdin;
        cli.clock = clock;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }
}
