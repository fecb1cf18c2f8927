package dev.mailpipe.platform;

import org.apache.kafka.common.config.ConfigDef;

/**
 * Settings that the expander (which writes tracking links into mail) and the web service (which
 * serves them) must read the same way: defined once, added to each app's {@link ConfigDef}.
 */
public final class TrackingKeys {

    public static final String PUBLIC_URL_CONFIG = "public.url";
    public static final String PUBLIC_URL_DOC = "Base URL of every tracking and unsubscribe link put into mail, "
            + "served by the web service (https in production), e.g. https://t.example.com. "
            + "Default: http://127.0.0.1:<web port>.";

    public static final String TRACKING_SECRET_CONFIG = "tracking.secret";
    public static final String TRACKING_SECRET_DOC = "HMAC keys of tracking tokens as id:base64key[,id:base64key...], "
            + "newest first: the newest signs, all verify (rotation). Keys of at least 32 bytes. "
            + "The embedded default generates one into the data dir.";

    private TrackingKeys() {
    }

    /** Adds both keys (no defaults: each app decides what a missing value means). */
    public static ConfigDef define(final ConfigDef def) {
        return def
                .define(PUBLIC_URL_CONFIG, ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH, PUBLIC_URL_DOC)
                .define(TRACKING_SECRET_CONFIG, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH,
                        TRACKING_SECRET_DOC);
    }
}
