package dev.mailpipe.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A structural model of KEDA's ScaledObject and TriggerAuthentication ({@code keda.sh/v1alpha1}),
 * written from KEDA's CRDs (keda 2.17 {@code config/crd/bases/keda.sh_scaledobjects.yaml} and
 * {@code keda.sh_triggerauthentications.yaml}): KEDA publishes no Java model and its CRD is not on
 * Maven Central. Only the fields mailpipe uses or may plausibly use are modelled; Jackson rejects
 * any other field, so a typo fails the test instead of being silently ignored by the cluster.
 * Trigger metadata keys are checked against the scaler's documented parameters
 * ({@link #KAFKA_METADATA}, {@link #PROMETHEUS_METADATA}).
 */
final class Keda {

    static final String API_VERSION = "keda.sh/v1alpha1";

    /** Parameters of KEDA's {@code kafka} scaler (https://keda.sh/docs/latest/scalers/apache-kafka/). */
    static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "bootstrapServersFromEnv", "consumerGroup",
            "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold", "activationLagThreshold",
            "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag",
            "version", "partitionLimitation", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions",
            "sasl", "tls", "unsafeSsl");

    /** Parameters of KEDA's {@code prometheus} scaler (https://keda.sh/docs/latest/scalers/prometheus/). */
    static final Set<String> PROMETHEUS_METADATA = Set.of("serverAddress", "query", "queryParameters", "threshold",
            "activationThreshold", "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "timeout");

    /** Parameters a kafka TriggerAuthentication may provide. */
    static final Set<String> KAFKA_AUTH_PARAMETERS = Set.of("sasl", "username", "password", "tls", "ca", "cert", "key",
            "keyPassword", "oauthTokenEndpointUri", "scopes", "oauthExtensions");

    private Keda() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
    }

    record ScaledObjectSpec(ScaleTarget scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
            Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount, Integer maxReplicaCount,
            Fallback fallback, Advanced advanced, List<Trigger> triggers) {
    }

    record ScaleTarget(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    record Fallback(Integer failureThreshold, Integer replicas, String behavior) {
    }

    record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig) {
    }

    record HpaConfig(String name) {
    }

    record Trigger(String type, String name, Map<String, String> metadata, AuthenticationRef authenticationRef,
            String metricType, Boolean useCachedMetrics) {
    }

    record AuthenticationRef(String name, String kind) {
    }

    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {
    }

    record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef) {
    }

    record SecretTargetRef(String parameter, String name, String key) {
    }
}
