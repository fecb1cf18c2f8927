package dev.mailpipe.webhooks;

import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.Webhook;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The webhook endpoints of every account: a thin layer over the compacted topic
 * {@code mail.webhooks} (key = webhook id), so every instance and the CLI see the same set.
 */
public final class WebhookStore implements AutoCloseable {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CompactedTable<Webhook> table;

    private WebhookStore(final CompactedTable<Webhook> table) {
        this.table = table;
    }

    public static TopicProvisioner.TopicSpec topicSpec() {
        return CompactedTable.topicSpec(Topics.WEBHOOKS.name());
    }

    /**
     * Reads the whole topic (it must exist), then follows it. A topic created a moment ago may not
     * be in the broker's metadata yet (the embedded broker takes a second or two): that is retried
     * for up to 30 s.
     */
    public static WebhookStore start(final String bootstrap, final String clientId) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return new WebhookStore(CompactedTable.start(bootstrap, clientId, Topics.WEBHOOKS.name(),
                        Topics.WEBHOOKS.valueSerde()));
            } catch (final IllegalStateException e) {
                if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("does not exist")) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (final InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public Optional<Webhook> get(final String id) {
        return table.get(id);
    }

    /** Every endpoint, ordered by account then creation. */
    public List<Webhook> all() {
        return sorted(table.all().values());
    }

    /** The endpoints of one account (a scan: endpoints are few, read from memory). */
    public List<Webhook> ofAccount(final String apiUser) {
        return sorted(table.all().values().stream().filter(w -> w.getApiUser().equals(apiUser)).toList());
    }

    /** Whether no account has an endpoint (a live view: the next endpoint added is seen at once). */
    public boolean isEmpty() {
        return table.all().isEmpty();
    }

    public void put(final Webhook webhook) {
        table.put(webhook.getId(), webhook);
    }

    public void remove(final String id) {
        table.remove(id);
    }

    public boolean isFollowing() {
        return table.isFollowing();
    }

    /** A new endpoint id: {@code wh_} and 16 random letters and digits. */
    public static String newId() {
        return "wh_" + random(16);
    }

    /** A new app key (the HMAC key of the signature): 32 random letters and digits. */
    public static String newAppKey() {
        return random(32);
    }

    static String random(final int length) {
        final StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    private static List<Webhook> sorted(final Collection<Webhook> hooks) {
        return hooks.stream().sorted(Comparator.comparing(Webhook::getApiUser)
                .thenComparing(Webhook::getCreatedAt).thenComparing(Webhook::getId)).toList();
    }

    @Override
    public void close() {
        table.close();
    }
}
