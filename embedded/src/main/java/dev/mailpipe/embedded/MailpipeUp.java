package dev.mailpipe.embedded;

import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.web.WebApp;
import dev.mailpipe.web.WebConfig;
import dev.mailpipe.webhooks.WebhooksApp;
import dev.mailpipe.webhooks.WebhooksConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ./mailpipe up}: a real single-node Kafka broker (unless KAFKA_BOOTSTRAP_SERVERS names
 * one) and the services in one command, with one metrics/health endpoint for all.
 */
public final class MailpipeUp {

    private MailpipeUp() {
    }

    public static void main(final String[] args) {
        final Map<String, String> env = EnvConfig.fromEnvironment(System.getenv());
        final EmbeddedConfig config = Runner.configOrExit("up", () -> {
            final EmbeddedConfig c = new EmbeddedConfig(env);
            c.services(); // nothing to run is a configuration error, reported before anything starts
            return c;
        });
        final Path dataDir = Path.of(config.getString(EmbeddedConfig.DATA_DIR)).toAbsolutePath();
        final Map<String, String> values = new HashMap<>(env);
        embeddedDefaults(values, dataDir);
        final String hostname = LocalHost.nameOr(values.get(CommonConfigs.HOSTNAME_CONFIG));
        if (!LocalHost.isFqdn(hostname)) {
            // A playground on a laptop has no FQDN; a service alone (./mailpipe run) refuses to start instead.
            System.err.println("mailpipe up: warning: " + LocalHost.notFqdn(hostname));
        }
        // Every service's settings are checked before anything starts, so a typo costs no broker start.
        Runner.configOrExit("up", () -> List.of(new IngestSmtpConfig(values), new ExpanderConfig(values),
                new MxDelivererConfig(values), new WebhooksConfig(values), new WebConfig(values)));
        Runner.runUntilStopped(config.getString(EmbeddedConfig.HTTP_HOST), config.getInt(EmbeddedConfig.HTTP_PORT),
                registry -> {
                    final List<MailpipeApp> apps = new ArrayList<>();
                    final StartedApps started = new StartedApps();
                    try {
                        if (!config.externalKafka()) {
                            final EmbeddedBroker broker = EmbeddedBroker.start(dataDir,
                                    config.getInt(EmbeddedConfig.KAFKA_PORT), config.getString(EmbeddedConfig.KAFKA_HEAP),
                                    config.kafkaOrphanGrace());
                            apps.add(broker);
                            values.put(CommonConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                            embeddedBrokerDefaults(values);
                        }
                        final List<String> services = config.services();
                        // The services start side by side: each mostly waits on Kafka (topic checks,
                        // table loads, the expander's rebalance and restore), so a restart after a
                        // crash costs the slowest of them rather than their sum. Configs are built
                        // here, on one thread, from the map the others never see.
                        final CompletableFuture<IngestSmtpApp> ingestStart = services.contains(
                                "ingest-smtp") ? started.start(new IngestSmtpConfig(values), c -> IngestSmtpApp.start(c,
                                        registry)) : null;
                        final CompletableFuture<WebApp> webStart = services.contains("web")
                                ? started.start(new WebConfig(values), c -> WebApp.start(c, registry)) : null;
                        final CompletableFuture<MxDelivererApp> delivererStart = services
                                .contains("mx-deliverer") ? started.start(new MxDelivererConfig(values),
                                        c -> MxDelivererApp.start(c, registry)) : null;
                        final CompletableFuture<WebhooksApp> webhooksStart = services.contains(
                                "webhooks") ? started.start(new WebhooksConfig(values), c -> WebhooksApp.start(c,
                                        registry)) : null;
                        if (webStart != null && !values.containsKey("public.url")) {
                            // The web service's port decides PUBLIC_URL, which the expander writes into links.
                            values.put("public.url", StartedApps.await(webStart).publicUrl());
                        }
                        final CompletableFuture<ExpanderApp> expanderStart = services.contains("expander")
                                ? started.start(new ExpanderConfig(values), c -> ExpanderApp.start(c, registry)) : null;
                        // In the order of EmbeddedConfig.ALL_SERVICES, so they stop in reverse.
                        for (final var app : Arrays.asList(ingestStart, webStart, expanderStart,
                                delivererStart, webhooksStart)) {
                            if (app != null) {
                                apps.add(StartedApps.await(app));
                            }
                        }
                        started.done();
                        final IngestSmtpApp ingest = ingestStart == null ? null : ingestStart.join();
                        final WebApp web = webStart == null ? null : webStart.join();
                        if (ingest != null && web != null) {
                            printBanner(values, ingest, web, config);
                        } else {
                            System.out.println("mailpipe up: " + (services.isEmpty() ? "only the broker" : services)
                                    + ", Kafka at " + values.get("bootstrap.servers") + "; health on http://"
                                    + config.getString(EmbeddedConfig.HTTP_HOST) + ":"
                                    + config.getInt(EmbeddedConfig.HTTP_PORT) + "/readyz");
                        }
                        return apps;
                    } catch (final RuntimeException e) {
                        started.stopStarted(); // every service that did start, also those not in apps yet
                        if (!apps.isEmpty() && apps.get(0) instanceof EmbeddedBroker broker) {
                            broker.close();
                        }
                        throw e;
                    }
                });
    }

    /** Partitions of the topics created on the embedded broker (production keeps {@code topic.partitions}' 6). */
    static final int EMBEDDED_TOPIC_PARTITIONS = 2;

    /**
     * Topic defaults for the embedded single-node broker, unless set: replication factor 1, and
     * {@link #EMBEDDED_TOPIC_PARTITIONS} partitions. One process consumes every partition here, so
     * more partitions buy no parallelism; each costs transaction markers on every commit, fetch and
     * index state: 2 instead of 6 gave 20-40 % more emails/s at less CPU and ~40 MB less PSS
     * (bench/README, "Partitions of the embedded default"). Only topics created from now on.
     */
    static void embeddedBrokerDefaults(final Map<String, String> values) {
        values.putIfAbsent(CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG, "1");
        values.putIfAbsent(CommonConfigs.TOPIC_PARTITIONS_CONFIG, Integer.toString(EMBEDDED_TOPIC_PARTITIONS));
    }

    /** What differs from a production deployment: local state under the data dir, a dev account. */
    static void embeddedDefaults(final Map<String, String> values, final Path dataDir) {
        values.putIfAbsent("expander.state.dir", dataDir.resolve("expander").toString());
        // A local playground delivers to MX hosts on this machine (e.g. smtp-sink behind dnsmasq).
        values.putIfAbsent("mx.allowed.networks", "127.0.0.0/8,::1/128");
        // A playground sends as any domain (unsigned unless ./mailpipe domains add); production enforces
        values.putIfAbsent("sender.domains", "any");
        // DKIM keys are sealed under this secret; ./mailpipe domains uses the same file (KeysSecret)
        if (!values.containsKey(KeysSecret.KEY) && !values.containsKey("bootstrap.servers")) {
            values.put(KeysSecret.KEY, KeysSecret.loadOrCreate(dataDir));
        }
        // ... and posts webhooks to receivers on this machine (python3 examples/webhook_receiver.py).
        values.putIfAbsent("webhook.allowed.networks", "127.0.0.0/8,::1/128");
        // The tracking links' web service answers on this machine only, unless told otherwise.
        values.putIfAbsent("web.host", "127.0.0.1");
        if (!values.containsKey("tracking.secret")) {
            values.put("tracking.secret", TrackingSecret.loadOrCreate(dataDir));
        }
        if (!values.containsKey("api.user")) {
            final DevCredentials credentials = DevCredentials.loadOrCreate(dataDir);
            values.put("api.user", credentials.apiUser());
            values.put("api.key", credentials.apiKey());
        }
    }

    private static void printBanner(final Map<String, String> values, final IngestSmtpApp ingest,
            final WebApp web, final EmbeddedConfig config) {
        final String banner = String.join(System.lineSeparator(),
                "",
                "mailpipe is up",
                "  SMTP submission : port " + ingest.smtpPort() + " (AUTH LOGIN/PLAIN, STARTTLS)",
                "  account         : api_user=" + values.get("api.user") + " api_key=" + values.get("api.key"),
                "  webhooks        : ./mailpipe webhooks add --account " + values.get("api.user") + " --url <url>",
                "  Kafka           : " + values.get("bootstrap.servers"),
                "  tracking links  : " + values.get("public.url") + "  (/o /c /u, web service on port " + web.port()
                        + ")",
                "  metrics/health  : http://" + config.getString(EmbeddedConfig.HTTP_HOST) + ":"
                        + config.getInt(EmbeddedConfig.HTTP_PORT) + "/metrics  /healthz  /readyz",
                "  DNS for MX      : " + values.getOrDefault("dns", "system resolver"),
                "  MX port         : " + values.getOrDefault("mx.port", "25"),
                "Stop with Ctrl-C.",
                "");
        System.out.println(banner);
    }
}
