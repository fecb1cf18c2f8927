package dev.mailpipe.web;

import dev.mailpipe.core.tracking.TokenKeys;
import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.Cidr;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.TlsContexts;
import dev.mailpipe.platform.TrackingKeys;
import dev.mailpipe.platform.Validators;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the web service. Keys map to environment variables by {@link EnvConfig}:
 * {@code web.port} is {@code MAILPIPE_WEB_PORT}. Unknown keys (other apps' settings) are ignored.
 */
public final class WebConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String TOPIC_PARTITIONS = CommonConfigs.TOPIC_PARTITIONS_CONFIG;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG;
    public static final String WEB_HOST = "web.host";
    public static final String WEB_PORT = "web.port";
    public static final String PUBLIC_URL = TrackingKeys.PUBLIC_URL_CONFIG;
    public static final String TRACKING_SECRET = TrackingKeys.TRACKING_SECRET_CONFIG;
    public static final String READ_TIMEOUT_MS = "web.read.timeout.ms";
    public static final String REQUEST_DEADLINE_MS = "web.request.deadline.ms";
    public static final String IDLE_TIMEOUT_MS = "web.idle.timeout.ms";
    public static final String MAX_CONNECTIONS = "web.max.connections";
    public static final String OUTBOX_CAPACITY = "web.outbox.capacity";
    public static final String TRUSTED_PROXIES = "web.trusted.proxies";
    public static final String MAX_MESSAGE_BYTES = CommonConfigs.MAX_MESSAGE_BYTES_CONFIG;
    public static final String SENDER_DOMAINS = CommonConfigs.SENDER_DOMAINS_CONFIG;
    public static final String RATE_LIMIT_PER_MINUTE = CommonConfigs.RATE_LIMIT_PER_MINUTE_CONFIG;
    public static final String RATE_LIMIT_SYNC_MS = CommonConfigs.RATE_LIMIT_SYNC_MS_CONFIG;
    public static final String TLS_CERT = "web.tls.cert";
    public static final String TLS_KEY = "web.tls.key";
    public static final String API_AUTH_MAX_FAILURES = "web.api.auth.max.failures";
    public static final String API_AUTH_FAILURE_WINDOW_MS = "web.api.auth.failure.window.ms";

    public static final ConfigDef CONFIG_DEF = CommonConfigs.defineSubmission(CommonConfigs.defineTopics(
                    CommonConfigs.defineHttp(CommonConfigs.defineKafka(TrackingKeys.define(new ConfigDef())), "0.0.0.0",
                            8085)))
            .define(WEB_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM,
                    "Address the public web endpoints (/o /c /u) listen on.")
            .define(WEB_PORT, Type.INT, 8080, Validators.port(), Importance.HIGH,
                    "Port of the public web endpoints (0: any free port).")
            .define(READ_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.between(1, Integer.MAX_VALUE), Importance.LOW,
                    "Longest a read from a client may wait for bytes, e.g. after connecting; then the "
                            + "connection is closed.")
            .define(REQUEST_DEADLINE_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "A request's headers and body must have arrived, and it must be answered, within this "
                            + "long of its first line, or the connection is closed (slow clients hold no connection).")
            .define(IDLE_TIMEOUT_MS, Type.LONG, 20_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "A connection whose next request has not started (its first line not fully arrived) "
                            + "for this long is closed: new connections that send nothing, idle keep-alives.")
            .define(MAX_CONNECTIONS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Most client connections open at once; more wait in the accept backlog.")
            .define(OUTBOX_CAPACITY, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Tracking events held in memory while Kafka is unreachable; beyond that new events are "
                            + "dropped (counted in mailpipe.web.outbox.dropped) and the requests still answer.")
            .define(TRUSTED_PROXIES, Type.LIST, "", cidrList(), Importance.MEDIUM,
                    "CIDR list of the load balancers or ingress in front of the service: from these peers the "
                            + "client address is taken from X-Forwarded-For (empty: the header is ignored).")
            .define(TLS_CERT, Type.STRING, "", Importance.MEDIUM,
                    "PEM certificate chain of the public endpoints; with web.tls.key the web port speaks HTTPS "
                            + "only (TLS 1.2/1.3). Empty: plain HTTP, for TLS terminated at an ingress.")
            .define(TLS_KEY, Type.STRING, "", Importance.MEDIUM,
                    "PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) of web.tls.cert.")
            .define(API_AUTH_MAX_FAILURES, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Failed Web API logins (wrong apiUser or apiKey) per client address within the window before "
                            + "the API answers 429 to that address, even with the right key (as SMTP AUTH is throttled).")
            .define(API_AUTH_FAILURE_WINDOW_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Window of the failed Web API login throttle, from the first failure.");

    public WebConfig(final Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
        tokenKeys(); // fail at start, not at the first request
        publicUrl(0);
        if (getString(TLS_CERT).isBlank() != getString(TLS_KEY).isBlank()) {
            throw new ConfigException(EnvConfig.variableOf(TLS_CERT) + " and " + EnvConfig.variableOf(TLS_KEY)
                    + " must be given together");
        }
    }

    /** True when the public endpoints speak HTTPS ({@code web.tls.cert} and {@code web.tls.key} set). */
    public boolean tls() {
        return !getString(TLS_CERT).isBlank();
    }

    /** The server's TLS context from the PEM files; a file that cannot be used fails naming both variables. */
    public javax.net.ssl.SSLContext tlsContext() {
        try {
            return TlsContexts.fromPem(java.nio.file.Path.of(getString(TLS_CERT).strip()),
                    java.nio.file.Path.of(getString(TLS_KEY).strip()));
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(EnvConfig.variableOf(TLS_CERT) + "/" + EnvConfig.variableOf(TLS_KEY) + ": "
                    + e.getMessage());
        }
    }

    /** Reads the environment; an invalid value fails with a message naming its variable. */
    public static WebConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, WebConfig::new);
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "web";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG_DEF;
        }
    }

    /** The HMAC keys; required: without them no link in any mail can be verified. */
    public TokenKeys tokenKeys() {
        final Password secret = getPassword(TRACKING_SECRET);
        if (secret == null || secret.value().isBlank()) {
            throw new ConfigException("tracking.secret is required (set by " + EnvConfig.variableOf(TRACKING_SECRET)
                    + "): the same id:base64key list the expander signs links with");
        }
        try {
            return TokenKeys.parse(secret.value());
        } catch (final IllegalArgumentException e) {
            throw new ConfigException("invalid configuration tracking.secret (set by "
                    + EnvConfig.variableOf(TRACKING_SECRET) + "): " + e.getMessage());
        }
    }

    /**
     * The base of every link, without a trailing slash; default {@code http://127.0.0.1:<port>}
     * ({@code https://} when the port speaks TLS).
     */
    public String publicUrl(final int boundPort) {
        final String configured = getString(PUBLIC_URL);
        if (configured == null || configured.isBlank()) {
            return (tls() ? "https" : "http") + "://127.0.0.1:" + (boundPort > 0 ? boundPort : getInt(WEB_PORT));
        }
        final String url = configured.strip().replaceAll("/+$", "");
        try {
            final URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(PUBLIC_URL, configured, "expected an http or https URL");
            }
        } catch (final URISyntaxException e) {
            throw new ConfigException(PUBLIC_URL, configured, "not a URL: " + e.getReason());
        }
        return url;
    }

    public List<Cidr> trustedProxies() {
        return getList(TRUSTED_PROXIES).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Cidr::parse)
                .toList();
    }

    private static ConfigDef.Validator cidrList() {
        return (name, value) -> {
            for (final Object one : (List<?>) value) {
                final String s = one.toString().strip();
                if (!s.isEmpty()) {
                    try {
                        Cidr.parse(s);
                    } catch (final IllegalArgumentException e) {
                        throw new ConfigException(name, value, e.getMessage());
                    }
                }
            }
        };
    }

    /** This replica's name: {@code instance.id}, else {@code $HOSTNAME}, else the host name. */
    public String instanceId() {
        return CommonConfigs.instanceId(this);
    }

    public Duration millis(final String key) {
        return Duration.ofMillis(getLong(key));
    }
}
