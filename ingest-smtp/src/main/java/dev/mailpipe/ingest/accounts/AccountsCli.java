package dev.mailpipe.ingest.accounts;

import dev.mailpipe.core.accounts.Account;
import dev.mailpipe.core.accounts.KeyHasher;
import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ./mailpipe accounts add|list|rotate|disable|enable|footer ...}: manages the accounts in the
 * compacted topic {@code mail.accounts}. A new key is printed once and never stored.
 */
@Command(name = "accounts", mixinStandardHelpOptions = true,
        description = "Manage mailpipe accounts (api_user / api_key) stored in Kafka.",
        subcommands = {AccountsCli.Add.class, AccountsCli.ListAccounts.class, AccountsCli.Rotate.class,
            AccountsCli.Disable.class, AccountsCli.Enable.class, AccountsCli.Footer.class})
public final class AccountsCli implements Callable<Integer> {

    static final int NOT_FOUND = 3;
    static final int EXISTS = 4;

    @Option(names = {"-b", "--bootstrap-servers"}, description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the CLI; returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        final AccountsCli cli = new AccountsCli();
        cli.env = env;
        final CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(final String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out), new PrintWriter(System.err)));
    }

    String bootstrap() {
        return Cli.bootstrapServers(bootstrapServers, env);
    }

    AccountStore open() {
        final String bootstrap = bootstrap();
        TopicProvisioner.ensure(bootstrap, -1, List.of(AccountStore.topicSpec()));
        return AccountStore.start(bootstrap, "mailpipe-accounts-cli");
    }

    @Command(name = "add", description = "Create an account and print its new API key (shown once).")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;
        @Parameters(index = "0", description = "api_user (letters, digits, . _ -)")
        String apiUser;
        @Option(names = "--open-tracking", description = "Enable open tracking by default.")
        boolean open;
        @Option(names = "--click-tracking", description = "Enable click tracking by default.")
        boolean click;
        @Option(names = "--subscription-tracking", description = "Enable subscription tracking by default.")
        boolean subscription;
        @Option(names = "--unsubscribe-footer", paramLabel = "TEXT",
                description = "Text of the unsubscribe footer of this account's mail (default: MAILPIPE_UNSUBSCRIBE_FOOTER_TEXT).")
        String footer;

        @Override
        public Integer call() {
            if (!apiUser.matches("[A-Za-z0-9._-]{1,64}")) {
                parent.spec.commandLine().getErr().println("error: api_user must be 1-64 letters, digits, '.', '_' or '-' (no '#')");
                return 2;
            }
            try (AccountStore store = parent.open()) {
                if (store.get(apiUser).isPresent()) {
                    parent.spec.commandLine().getErr().println("error: account " + apiUser + " exists (use rotate)");
                    return EXISTS;
                }
                final String key = KeyHasher.newKey();
                final long now = Clock.systemUTC().millis();
                if (footer != null && !validFooter(parent, footer)) {
                    return 2;
                }
                store.put(new Account(apiUser, KeyHasher.hash(key), true,
                        new Account.Filters(subscription, open, click, blankToNull(footer)), now, now));
                final PrintWriter out = parent.spec.commandLine().getOut();
                out.println("api_user: " + apiUser);
                out.println("api_key:  " + key);
                out.println("(the key is shown only now; store it safely)");
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List accounts (never keys).")
    static final class ListAccounts implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;

        @Override
        public Integer call() {
            try (AccountStore store = parent.open()) {
                final PrintWriter out = parent.spec.commandLine().getOut();
                out.printf("%-24s %-8s %-46s %-24s %s%n", "API_USER", "ENABLED", "DEFAULT FILTERS", "UPDATED",
                        "UNSUBSCRIBE FOOTER");
                for (final Account a : store.all()) {
                    final Account.Filters f = a.filters() == null ? Account.Filters.NONE : a.filters();
                    out.printf("%-24s %-8s %-46s %-24s %s%n", a.apiUser(), a.enabled() ? "yes" : "no",
                            "subscription=" + f.subscriptionTracking() + " open=" + f.openTracking() + " click="
                                    + f.clickTracking(), Instant.ofEpochMilli(a.updatedAt()),
                            f.unsubscribeFooterText() == null ? "(default)" : f.unsubscribeFooterText());
                }
                return 0;
            }
        }
    }

    @Command(name = "rotate", description = "Give an account a new API key (printed once); the old key stops working.")
    static final class Rotate implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;
        @Parameters(index = "0")
        String apiUser;

        @Override
        public Integer call() {
            try (AccountStore store = parent.open()) {
                final var existing = store.get(apiUser);
                if (existing.isEmpty()) {
                    parent.spec.commandLine().getErr().println("error: no account " + apiUser);
                    return NOT_FOUND;
                }
                final String key = KeyHasher.newKey();
                store.put(existing.get().withKeyHash(KeyHasher.hash(key), Clock.systemUTC().millis()));
                parent.spec.commandLine().getOut().println("api_user: " + apiUser);
                parent.spec.commandLine().getOut().println("api_key:  " + key);
                parent.spec.commandLine().getOut().println("(the key is shown only now; store it safely)");
                return 0;
            }
        }
    }

    @Command(name = "disable", description = "Refuse AUTH for an account.")
    static final class Disable implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;
        @Parameters(index = "0")
        String apiUser;

        @Override
        public Integer call() {
            return setEnabled(parent, apiUser, false);
        }
    }

    @Command(name = "enable", description = "Allow AUTH for a disabled account again.")
    static final class Enable implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;
        @Parameters(index = "0")
        String apiUser;

        @Override
        public Integer call() {
            return setEnabled(parent, apiUser, true);
        }
    }

    @Command(name = "footer", description = "Set the text of the unsubscribe footer of an account's mail, or go back"
            + " to the default (MAILPIPE_UNSUBSCRIBE_FOOTER_TEXT) with --default.")
    static final class Footer implements Callable<Integer> {
        @ParentCommand
        AccountsCli parent;
        @Parameters(index = "0")
        String apiUser;
        @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT",
                description = "The footer text (the link's text in HTML mail; in plain text followed by ': <link>').")
        String text;
        @Option(names = "--default", description = "Use the expander's default footer text again.")
        boolean useDefault;

        @Override
        public Integer call() {
            if (useDefault == (text != null)) {
                parent.spec.commandLine().getErr().println("error: give either TEXT or --default");
                return 2;
            }
            if (text != null && !validFooter(parent, text)) {
                return 2;
            }
            try (AccountStore store = parent.open()) {
                final var existing = store.get(apiUser);
                if (existing.isEmpty()) {
                    parent.spec.commandLine().getErr().println("error: no account " + apiUser);
                    return NOT_FOUND;
                }
                final Account account = existing.get();
                final Account.Filters filters = account.filters() == null ? Account.Filters.NONE : account.filters();
                store.put(account.withFilters(filters.withUnsubscribeFooterText(useDefault ? null : text.strip()),
                        Clock.systemUTC().millis()));
                parent.spec.commandLine().getOut().println(apiUser + ": unsubscribe footer "
                        + (useDefault ? "is the default again" : "set to \"" + text.strip() + "\""));
                return 0;
            }
        }
    }

    /** One line of at most 200 characters: it goes into a mail body and, in plain text, before the link. */
    private static boolean validFooter(final AccountsCli parent, final String text) {
        final String t = text.strip();
        if (t.isEmpty() || t.length() > 200 || t.chars().anyMatch(c -> c == '\r' || c == '\n' || Character.isISOControl(c))) {
            parent.spec.commandLine().getErr().println("error: the footer text must be one line of 1-200 characters");
            return false;
        }
        return true;
    }

    private static String blankToNull(final String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static int setEnabled(final AccountsCli parent, final String apiUser, final boolean enabled) {
        try (AccountStore store = parent.open()) {
            final var existing = store.get(apiUser);
            if (existing.isEmpty()) {
                parent.spec.commandLine().getErr().println("error: no account " + apiUser);
                return NOT_FOUND;
            }
            store.put(existing.get().withEnabled(enabled, Clock.systemUTC().millis()));
            parent.spec.commandLine().getOut().println(apiUser + (enabled ? " enabled" : " disabled"));
            return 0;
        }
    }
}
