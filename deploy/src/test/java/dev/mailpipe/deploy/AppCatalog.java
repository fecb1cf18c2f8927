package dev.mailpipe.deploy;

import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.web.WebApp;
import dev.mailpipe.web.WebConfig;
import dev.mailpipe.webhooks.WebhooksApp;
import dev.mailpipe.webhooks.WebhooksConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The services the image runs and what their manifests must say about them. Every class with a
 * {@code main} that implements {@code MailpipeApp} must be listed here ({@code ManifestModelTest}
 * finds them in the sources), with {@code deploy/kubernetes/base/<name>.yaml} holding its
 * Deployment, PodDisruptionBudget, ScaledObject, KafkaUser, metrics Service and NetworkPolicy.
 *
 * @param name          app name: argument of {@code run}, Deployment and KafkaUser name, manifest file name
 * @param mainClass     its main class
 * @param metricsPort   ops port (metrics, /healthz, /readyz)
 * @param scaling       what KEDA scales it on
 * @param publicPorts   named container ports reachable from outside the cluster (empty: none)
 * @param smtpEgress    whether it may open connections to port 25
 * @param kafka         its Kafka footprint (the code's own description) under the environment the
 *                      Deployment gives it (ConfigMap and literal env values)
 */
record AppCatalog(String name, String mainClass, int metricsPort, Scaling scaling, List<String> publicPorts,
        boolean smtpEgress, Function<Map<String, String>, KafkaAccess> kafka) {

    enum Scaling {
        /** Consumer-group lag (KEDA kafka trigger per subscribed topic). */
        KAFKA_LAG,
        /** A Prometheus query over its own metrics (connections, requests). */
        PROMETHEUS
    }

    static final List<AppCatalog> APPS = List.of(
            new AppCatalog("ingest-smtp", IngestSmtpApp.class.getName(), 8081, Scaling.PROMETHEUS,
                    List.of("smtp", "smtps"), false,
                    env -> IngestSmtpApp.kafkaAccess(IngestSmtpConfig.fromEnvironment(env))),
            new AppCatalog("expander", ExpanderApp.class.getName(), 8082, Scaling.KAFKA_LAG, List.of(), false,
                    env -> ExpanderApp.kafkaAccess(ExpanderConfig.fromEnvironment(env))),
            new AppCatalog("mx-deliverer", MxDelivererApp.class.getName(), 8083, Scaling.KAFKA_LAG, List.of(), true,
                    env -> MxDelivererApp.kafkaAccess(MxDelivererConfig.fromEnvironment(env))),
            new AppCatalog("webhooks", WebhooksApp.class.getName(), 8084, Scaling.KAFKA_LAG, List.of(), false,
                    env -> WebhooksApp.kafkaAccess(WebhooksConfig.fromEnvironment(env))),
            new AppCatalog("web", WebApp.class.getName(), 8085, Scaling.PROMETHEUS, List.of("http"), false,
                    env -> WebApp.kafkaAccess(WebConfig.fromEnvironment(withSecret(env)))));

    /** The tracking secret comes from a Secret (secretKeyRef), not a literal: any valid one will do here. */
    private static Map<String, String> withSecret(final Map<String, String> env) {
        final Map<String, String> out = new java.util.HashMap<>(env);
        out.putIfAbsent("MAILPIPE_TRACKING_SECRET", TRACKING_SECRET);
        return out;
    }

    static final String TRACKING_SECRET = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

    String manifest() {
        return "deploy/kubernetes/base/" + name + ".yaml";
    }
}
