package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.KafkaAccess;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KEDA scales every consumer service on its group's lag (a trigger per subscribed topic, at most as
 * many replicas as partitions) and ingest/web on their own Prometheus metrics; KEDA's Kafka user may
 * describe every group and topic it measures and nothing more.
 */
class ScalingTest {

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/production"})
    void everyServiceIsScaledByKeda(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        final Map<String, Integer> partitions = Manifests.ofKind(docs, "KafkaTopic").stream()
                .map(d -> d.as(KafkaTopic.class))
                .collect(Collectors.toMap(t -> t.getSpec().getTopicName(), t -> t.getSpec().getPartitions()));
        final Set<String> auths = Manifests.ofKind(docs, "TriggerAuthentication").stream().map(Manifests.Doc::name)
                .collect(Collectors.toSet());
        for (final AppCatalog app : AppCatalog.APPS) {
            final String where = dir + " " + app.manifest() + " ScaledObject " + app.name();
            final Keda.ScaledObject scaled = Manifests.ofKind(docs, "ScaledObject").stream()
                    .filter(d -> d.name().equals(app.name())).findFirst().map(d -> d.as(Keda.ScaledObject.class))
                    .orElseThrow(() -> new AssertionError(where + " is missing"));
            final Keda.ScaledObjectSpec spec = scaled.spec();
            assertThat(spec.scaleTargetRef().name()).as(where + " target").isEqualTo(app.name());
            assertThat(spec.scaleTargetRef().kind()).as(where + " target kind").isIn(null, "Deployment");
            assertThat(spec.minReplicaCount()).as(where + " minReplicaCount").isNotNull().isPositive();
            assertThat(spec.maxReplicaCount()).as(where + " maxReplicaCount").isNotNull()
                    .isGreaterThanOrEqualTo(spec.minReplicaCount());
            assertThat(spec.triggers()).as(where + " triggers").isNotEmpty();
            final Map<String, String> env = Deployed.environment(docs, app);
            if (app.scaling() == AppCatalog.Scaling.KAFKA_LAG) {
                final KafkaAccess.ConsumerGroup group = app.kafka().apply(env).group()
                        .orElseThrow(() -> new AssertionError(app.name() + " is scaled on lag but has no consumer group"));
                final Set<String> triggered = new TreeSet<>();
                for (final Keda.Trigger trigger : spec.triggers()) {
                    assertThat(trigger.type()).as(where + " trigger type").isEqualTo("kafka");
                    assertThat(Keda.KAFKA_METADATA).as(where + " kafka trigger metadata keys")
                            .containsAll(trigger.metadata().keySet());
                    assertThat(trigger.metadata()).as(where + " trigger")
                            .containsEntry("consumerGroup", group.id())
                            .containsEntry("bootstrapServers", env.get("KAFKA_BOOTSTRAP_SERVERS"))
                            .doesNotContainEntry("allowIdleConsumers", "true")
                            .containsKey("lagThreshold");
                    assertThat(Long.parseLong(trigger.metadata().get("lagThreshold"))).isPositive();
                    assertThat(trigger.authenticationRef()).as(where + " authenticationRef").isNotNull();
                    assertThat(auths).as(where + " TriggerAuthentication").contains(trigger.authenticationRef().name());
                    triggered.add(trigger.metadata().get("topic"));
                }
                assertThat(triggered).as(where + ": a kafka trigger (consumerGroup " + group.id()
                        + ") for exactly each topic the group subscribes to").isEqualTo(new TreeSet<>(group.topics()));
                final int most = group.topics().stream().mapToInt(t -> partitions.getOrDefault(t, 0)).max().orElse(0);
                assertThat(spec.maxReplicaCount()).as(where + ": maxReplicaCount at most the partitions of its "
                        + "largest topic (" + most + "); more replicas would sit idle").isLessThanOrEqualTo(most);
            } else {
                for (final Keda.Trigger trigger : spec.triggers()) {
                    assertThat(trigger.type()).as(where + " trigger type").isEqualTo("prometheus");
                    assertThat(Keda.PROMETHEUS_METADATA).as(where + " prometheus trigger metadata keys")
                            .containsAll(trigger.metadata().keySet());
                    assertThat(trigger.metadata()).as(where).containsKeys("serverAddress", "query", "threshold");
                    assertThat(trigger.metadata().get("query")).as(where + " query over mailpipe's own metrics")
                            .contains("namespace=\"mailpipe\"");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production"})
    void kedasKafkaUserMayDescribeEveryMeasuredGroupAndTopicAndNothingElse(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        final KafkaUser keda = Manifests.ofKind(docs, "KafkaUser").stream().filter(d -> d.name().equals("keda"))
                .findFirst().map(d -> d.as(KafkaUser.class)).orElseThrow();
        final var acls = ((KafkaUserAuthorizationSimple) keda.getSpec().getAuthorization()).getAcls();
        assertThat(acls).allSatisfy(rule -> assertThat(rule.getOperations()).containsExactly(AclOperation.DESCRIBE));
        for (final AppCatalog app : AppCatalog.APPS) {
            app.kafka().apply(Deployed.environment(docs, app)).group().ifPresent(group -> {
                assertThat(acls).as("keda may describe group " + group.id()).anySatisfy(rule -> {
                    assertThat(rule.getResource()).isInstanceOf(AclRuleGroupResource.class);
                    assertThat(covers(((AclRuleGroupResource) rule.getResource()).getName(),
                            ((AclRuleGroupResource) rule.getResource()).getPatternType(), group.id())).isTrue();
                });
                for (final String topic : group.topics()) {
                    assertThat(acls).as("keda may describe topic " + topic).anySatisfy(rule -> {
                        assertThat(rule.getResource()).isInstanceOf(AclRuleTopicResource.class);
                        assertThat(covers(((AclRuleTopicResource) rule.getResource()).getName(),
                                ((AclRuleTopicResource) rule.getResource()).getPatternType(), topic)).isTrue();
                    });
                }
            });
        }
        final var auth = Manifests.ofKind(docs, "TriggerAuthentication").get(0).as(Keda.TriggerAuthentication.class);
        assertThat(auth.spec().secretTargetRef()).extracting(Keda.SecretTargetRef::parameter)
                .allSatisfy(p -> assertThat(Keda.KAFKA_AUTH_PARAMETERS).contains(p))
                .contains("sasl", "username", "password", "tls", "ca");
    }

    private static boolean covers(final String name, final AclResourcePatternType type, final String value) {
        return type == AclResourcePatternType.PREFIX ? value.startsWith(name) : value.equals(name);
    }
}
