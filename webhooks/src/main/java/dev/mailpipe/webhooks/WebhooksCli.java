package dev.mailpipe.webhooks;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.schemas.WebhookFormat;
import dev.mailpipe.webhooks.core.SendCloudEvents;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
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
 * {@code ./mailpipe webhooks add|list|remove|rotate-key}: manages the webhook endpoints in the
 * compacted topic {@code mail.webhooks}. {@code add} and {@code rotate-key} print the app key (the
 * signature's key) on a line of its own as {@code appKey=<key>}.
 */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "Manage the URLs that receive an account's delivery events (SendCloud's webhook format).",
        subcommands = {WebhooksCli.Add.class, WebhooksCli.ListHooks.class, WebhooksCli.Remove.class,
            WebhooksCli.RotateKey.class})
public final class WebhooksCli implements Callable<Integer> {

    static final int NOT_FOUND = 3;

    @Option(names = {"-b", "--bootstrap-servers"}, scope = CommandLine.ScopeType.INHERIT,
            description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad arguments, 3 no such webhook). */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out,
            final PrintWriter err) {
        final WebhooksCli cli = new WebhooksCli();
        cli.env = env;
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    WebhookStore open() {
        final String bootstrap = Cli.bootstrapServers(bootstrapServers, env);
        TopicProvisioner.ensure(bootstrap, -1, List.of(WebhookStore.topicSpec()));
        return WebhookStore.start(bootstrap, "mailpipe-webhooks-cli");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Checks a URL as {@code add} accepts it: absolute http or https with a host, no user info, no fragment. */
    static String checkUrl(final String url) {
        final URI uri;
        try {
            uri = new URI(url);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the URL must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the URL must not carry a user name or password");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the URL must not have a #fragment");
        }
        return uri.toString();
    }

    static List<String> checkEvents(final List<String> events) {
        final List<String> names = new ArrayList<>();
        for (final String e : events) {
            final String name = e.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!SendCloudEvents.isKnown(name)) {
                throw new IllegalArgumentException("unknown event '" + e + "' (known: "
                        + String.join(",", SendCloudEvents.NAMES) + ")");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    @Command(name = "add", description = "Add a URL that receives an account's events; prints its id and app key.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        WebhooksCli parent;
        @Option(names = "--account", required = true, description = "The account (api_user) whose events are posted.")
        String account;
        @Option(names = "--url", required = true, description = "http:// or https:// URL the events are POSTed to.")
        String url;
        @Option(names = "--events", split = ",", paramLabel = "EVENT",
                description = "Events to post (default: all): request,deliver,open,click,unsubscribe,bounce,"
                        + "report_spam,invalid,dropped,deferred,expired.")
        List<String> events = List.of();
        @Option(names = "--json-batch", description = "Post a JSON array of events per request, signed in headers, "
                + "instead of one form post per event.")
        boolean jsonBatch;

        @Override
        public Integer call() {
            final String checkedUrl;
            final List<String> names;
            try {
                checkedUrl = checkUrl(url);
                names = checkEvents(events);
            } catch (final IllegalArgumentException e) {
                parent.err().println("error: " + e.getMessage());
                return Cli.BAD_ARGUMENTS;
            }
            if (account.isBlank()) {
                parent.err().println("error: --account must name an api_user");
                return Cli.BAD_ARGUMENTS;
            }
            try (WebhookStore store = parent.open()) {
                final Instant now = Clock.systemUTC().instant();
                final Webhook hook = Webhook.newBuilder()
                        .setId(WebhookStore.newId())
                        .setApiUser(account)
                        .setUrl(checkedUrl)
                        .setEvents(names)
                        .setAppKey(WebhookStore.newAppKey())
                        .setFormat(jsonBatch ? WebhookFormat.json_batch : WebhookFormat.form)
                        .setCreatedAt(now)
                        .setUpdatedAt(now)
                        .build();
                store.put(hook);
                parent.out().println("id=" + hook.getId());
                parent.out().println("appKey=" + hook.getAppKey());
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List webhooks (never their keys).")
    static final class ListHooks implements Callable<Integer> {
        @ParentCommand
        WebhooksCli parent;
        @Option(names = "--account", description = "Only this account's webhooks.")
        String account;

        @Override
        public Integer call() {
            try (WebhookStore store = parent.open()) {
                final PrintWriter out = parent.out();
                out.printf("%-20s %-20s %-10s %-30s %s%n", "ID", "ACCOUNT", "FORMAT", "EVENTS", "URL");
                for (final Webhook w : account == null ? store.all() : store.ofAccount(account)) {
                    out.printf("%-20s %-20s %-10s %-30s %s%n", w.getId(), w.getApiUser(), w.getFormat(),
                            w.getEvents().isEmpty() ? "all" : String.join(",", w.getEvents()), w.getUrl());
                }
                return 0;
            }
        }
    }

    @Command(name = "remove", description = "Stop posting to a webhook.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        WebhooksCli parent;
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (WebhookStore store = parent.open()) {
                if (store.get(id).isEmpty()) {
                    parent.err().println("error: no webhook " + id);
                    return NOT_FOUND;
                }
                store.remove(id);
                parent.out().println("removed " + id);
                return 0;
            }
        }
    }

    @Command(name = "rotate-key", description = "Give a webhook a new app key (printed); posts are signed with it at once.")
    static final class RotateKey implements Callable<Integer> {
        @ParentCommand
        WebhooksCli parent;
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (WebhookStore store = parent.open()) {
                final var existing = store.get(id);
                if (existing.isEmpty()) {
                    parent.err().println("error: no webhook " + id);
                    return NOT_FOUND;
                }
                final Webhook rotated = Webhook.newBuilder(existing.get())
                        .setAppKey(WebhookStore.newAppKey())
                        .setUpdatedAt(Clock.systemUTC().instant())
                        .build();
                store.put(rotated);
                parent.out().println("id=" + id);
                parent.out().println("appKey=" + rotated.getAppKey());
                return 0;
            }
        }
    }
}
