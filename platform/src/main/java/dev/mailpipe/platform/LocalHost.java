package dev.mailpipe.platform;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, for SMTP banners, EHLO and Received: headers when none is configured. */
public final class LocalHost {

    private LocalHost() {
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
