package dev.mailpipe.platform;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** ConfigDef validators the apps share. */
public final class Validators {

    private Validators() {
    }

    /** A TCP/UDP port, 0 meaning "any free port". */
    public static ConfigDef.Validator port() {
        return ConfigDef.Range.between(0, 65535);
    }

    /** A {@link Durations} literal such as {@code 500ms}, {@code 30s} or {@code 5d}. */
    public static ConfigDef.Validator duration() {
        return (name, value) -> {
            try {
                Durations.parse(value == null ? "" : value.toString().strip());
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    /** {@code host:port}, or empty when {@code allowEmpty}. */
    public static ConfigDef.Validator hostPort(final boolean allowEmpty) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(final String name, final Object value) {
                final String s = value == null ? "" : value.toString().strip();
                if (s.isEmpty() && allowEmpty) {
                    return;
                }
                for (final String one : s.split(",")) {
                    final int colon = one.lastIndexOf(':');
                    if (colon <= 0 || colon == one.length() - 1) {
                        throw new ConfigException(name, value, "expected host:port");
                    }
                    try {
                        final int port = Integer.parseInt(one.substring(colon + 1).strip());
                        if (port < 1 || port > 65535) {
                            throw new ConfigException(name, value, "port out of range 1..65535");
                        }
                    } catch (final NumberFormatException e) {
                        throw new ConfigException(name, value, "port is not a number");
                    }
                }
            }

            @Override
            public String toString() {
                return allowEmpty ? "host:port[,host:port...] or empty" : "host:port[,host:port...]";
            }
        };
    }
}
