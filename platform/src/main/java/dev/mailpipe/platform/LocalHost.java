package dev.mailpipe.platform;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/** This machine's name, for SMTP banners, EHLO and Received: headers when none is configured. */
public final class LocalHost {

    private LocalHost() {
    }

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * True for a fully qualified domain name a receiver accepts in EHLO: at least two LDH labels, a
     * top-level label that is not all digits (so no IP address), and not {@code localhost} or a
     * name under {@code .localdomain}/{@code .localhost}.
     */
    public static boolean isFqdn(final String name) {
        if (name == null || name.length() > 253) {
            return false;
        }
        final String n = name.strip().toLowerCase(Locale.ROOT);
        final String[] labels = n.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (final String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        final String top = labels[labels.length - 1];
        return !top.chars().allMatch(Character::isDigit) && !n.startsWith("localhost.")
                && !top.equals("localdomain") && !top.equals("localhost");
    }

    /** {@code name} if it is a FQDN; else a ConfigException naming MAILPIPE_HOSTNAME and why it matters. */
    public static String requireFqdn(final String name) {
        if (!isFqdn(name)) {
            throw new ConfigException(notFqdn(name));
        }
        return name;
    }

    /** The message for a host name that is not a FQDN. */
    public static String notFqdn(final String name) {
        return "the host name '" + name + "' is not a fully qualified domain name: receiving servers score "
                + "EHLO " + name + " as spam (HELO_LOCALHOST, FSL_HELO_NON_FQDN_1); set MAILPIPE_HOSTNAME to this "
                + "installation's name, e.g. MAILPIPE_HOSTNAME=mail.example.com";
    }

    /** {@code configured} unless blank, else this host's canonical name, else {@code localhost}. */
    public static String nameOr(final String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (final UnknownHostException e) {
            return "localhost";
        }
    }
}
