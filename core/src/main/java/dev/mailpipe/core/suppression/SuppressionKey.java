package dev.mailpipe.core.suppression;

import java.util.Locale;

/**
 * The key of a suppression in {@code mail.suppressions}: scoped per account, by normalised address,
 * so every writer (unsubscribe, hard bounce, CLI) and every reader (expander, replay) agree.
 */
public final class SuppressionKey {

    private SuppressionKey() {
    }

    /**
     * The address as suppressions compare it: trimmed, without angle brackets, lower-cased.
     * Local parts are case-sensitive in theory (RFC 5321 §2.4) but not at any mailbox provider in
     * practice, and suppressing {@code Ben@x} must also stop {@code ben@x}.
     */
    public static String normalise(final String address) {
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1).strip();
        }
        return a.toLowerCase(Locale.ROOT);
    }

    /** {@code apiUser + '/' + normalise(address)}; api_users contain no '/' that matters: the address comes last. */
    public static String of(final String apiUser, final String address) {
        return apiUser + "/" + normalise(address);
    }
}
