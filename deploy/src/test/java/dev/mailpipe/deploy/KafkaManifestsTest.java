package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.Topic;
import dev.mailpipe.schemas.Topics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Code and Kafka manifests agree: a KafkaTopic for every topic the code uses (with its partitions
 * and configs), a KafkaUser per service whose ACLs cover exactly the topics, group and
 * transactional ids of its {@link KafkaAccess}, and the services authenticate over TLS with it.
 * Failure messages name the manifest to change and show the YAML to add.
 */
class KafkaManifestsTest {

    private static final String TOPICS = "deploy/kubernetes/base/topics.yaml";
    private final List<Manifests.Doc> docs = Kustomize.render(Manifests.base());

    /** Topic name → (the spec the code uses, who uses it). */
    private Map<String, Map.Entry<TopicSpec, Set<String>>> codeTopics(final List<String> problems) {
        final Map<String, Map.Entry<TopicSpec, Set<String>>> topics = new TreeMap<>();
        for (final AppCatalog app : AppCatalog.APPS) {
            for (final TopicSpec spec : access(app).topics()) {
                final var known = topics.get(spec.name());
                if (known == null) {
                    topics.put(spec.name(), Map.entry(spec, new TreeSet<>(Set.of(app.name()))));
                } else {
                    known.getValue().add(app.name());
                    if (!known.getKey().equals(spec) && !sameExceptPartitions(known.getKey(), spec)) {
                        problems.add("the services disagree about topic " + spec.name() + ": " + known.getKey()
                                + " (" + known.getValue() + ") vs " + spec + " (" + app.name() + ")");
                    }
                }
            }
        }
        return topics;
    }

    private static boolean sameExceptPartitions(final TopicSpec a, final TopicSpec b) {
        return a.config().equals(b.config()) && (a.partitions() == 1) == (b.partitions() == 1);
    }

    private KafkaAccess access(final AppCatalog app) {
        return app.kafka().apply(Deployed.environment(docs, app));
    }

    private Map<String, KafkaTopic> manifestTopics() {
        final Map<String, KafkaTopic> topics = new TreeMap<>();
        for (final Manifests.Doc doc : Manifests.ofKind(docs, "KafkaTopic")) {
            final KafkaTopic topic = doc.as(KafkaTopic.class);
            final String name = topic.getSpec().getTopicName() != null ? topic.getSpec().getTopicName()
                    : topic.getMetadata().getName();
            assertThat(topics.put(name, topic)).as("two KafkaTopics for " + name).isNull();
        }
        return topics;
    }

    /** Every topic name declared in schemas' Topics (Topic constants and String constants). */
    static Set<String> schemaTopics() throws IllegalAccessException {
        final Set<String> names = new TreeSet<>();
        for (final Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && !field.getName().endsWith("_PREFIX")) {
                final Object value = field.get(null);
                if (value instanceof Topic<?, ?> topic) {
                    names.add(topic.name());
                } else if (value instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Test
    void everyTopicTheCodeUsesHasAMatchingKafkaTopic() throws IllegalAccessException {
        final List<String> problems = new ArrayList<>();
        final var code = codeTopics(problems);
        final Map<String, KafkaTopic> manifests = manifestTopics();
        final long size = IngestSmtpConfig.fromEnvironment(Map.of()).getLong(IngestSmtpConfig.SMTP_MAX_MESSAGE_BYTES);
        for (final var entry : code.entrySet()) {
            final TopicSpec spec = entry.getValue().getKey();
            final String users = String.join(", ", entry.getValue().getValue());
            final KafkaTopic topic = manifests.get(spec.name());
            if (topic == null) {
                problems.add("topic " + spec.name() + " (used by " + users + ") has no KafkaTopic: add to " + TOPICS
                        + ":\n" + snippet(spec, spec.partitions() == 1 ? 1 : Math.max(12, spec.partitions())));
                continue;
            }
            final String where = TOPICS + " KafkaTopic " + topic.getMetadata().getName();
            final int partitions = topic.getSpec().getPartitions() == null ? -1 : topic.getSpec().getPartitions();
            if (spec.partitions() == 1 && partitions != 1) {
                problems.add(where + ": partitions must be 1 (the code reads " + spec.name() + " as one ordered partition)");
            } else if (partitions < spec.partitions()) {
                problems.add(where + ": partitions " + partitions + " < " + spec.partitions() + " the code creates");
            }
            final Map<String, Object> config = topic.getSpec().getConfig() == null ? Map.of() : topic.getSpec().getConfig();
            for (final var setting : spec.config().entrySet()) {
                final Object actual = config.get(setting.getKey());
                if (setting.getKey().equals("max.message.bytes")) {
                    final long wanted = Math.max(Long.parseLong(setting.getValue()), size);
                    if (actual == null || Long.parseLong(actual.toString()) < wanted) {
                        problems.add(where + ": config max.message.bytes must be at least \"" + wanted
                                + "\" (the code's " + setting.getValue() + ", SIZE " + size + "), is " + actual);
                    }
                } else if (actual == null || !actual.toString().equals(setting.getValue())) {
                    problems.add(where + ": config " + setting.getKey() + " must be \"" + setting.getValue()
                            + "\" as in the code (" + users + "), is " + actual);
                }
            }
            if (!spec.config().containsKey("cleanup.policy") && config.containsKey("cleanup.policy")
                    && !"delete".equals(config.get("cleanup.policy"))) {
                problems.add(where + ": cleanup.policy " + config.get("cleanup.policy") + " but the code expects delete");
            }
        }
        for (final String name : schemaTopics()) {
            if (!manifests.containsKey(name) && !code.containsKey(name)) {
                problems.add("topic " + name + " (schemas Topics) has no KafkaTopic: add one to " + TOPICS);
            }
        }
        for (final String name : manifests.keySet()) {
            if (!code.containsKey(name) && !schemaTopics().contains(name)) {
                problems.add(TOPICS + ": KafkaTopic for " + name + ", which no service uses: remove it, or add the topic "
                        + "to the KafkaAccess of the service that uses it");
            }
        }
        assertThat(problems).as(String.join("\n", problems)).isEmpty();
    }

    @Test
    void theBrokerAdmitsTheLargestRecordEveryTopicAdmits() {
        final Kafka kafka = Manifests.ofKind(docs, "Kafka").get(0).as(Kafka.class);
        final long largest = manifestTopics().values().stream()
                .map(t -> t.getSpec().getConfig() == null ? null : t.getSpec().getConfig().get("max.message.bytes"))
                .filter(v -> v != null).mapToLong(v -> Long.parseLong(v.toString())).max().orElseThrow();
        final Map<String, Object> config = kafka.getSpec().getKafka().getConfig();
        assertThat(Long.parseLong(config.get("message.max.bytes").toString())).isGreaterThanOrEqualTo(largest);
        assertThat(Long.parseLong(config.get("replica.fetch.max.bytes").toString())).isGreaterThanOrEqualTo(largest);
    }

    @Test
    void theOnlyListenerIsTlsWithScramAndAuthorizationIsOn() {
        final Kafka kafka = Manifests.ofKind(docs, "Kafka").get(0).as(Kafka.class);
        assertThat(kafka.getSpec().getKafka().getListeners()).isNotEmpty().allSatisfy((GenericKafkaListener l) -> {
            assertThat(l.isTls()).as("listener " + l.getName() + " tls").isTrue();
            assertThat(l.getAuth()).as("listener " + l.getName() + " authentication")
                    .isInstanceOf(KafkaListenerAuthenticationScramSha512.class);
        });
        assertThat(kafka.getSpec().getKafka().getAuthorization()).isInstanceOf(
                io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple.class);
        final int port = kafka.getSpec().getKafka().getListeners().get(0).getPort();
        for (final AppCatalog app : AppCatalog.APPS) {
            final Map<String, String> env = Deployed.environment(docs, app);
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).as(app.name()).endsWith(":" + port);
            assertThat(env).as(app.name() + " Kafka client settings")
                    .containsEntry("MAILPIPE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("MAILPIPE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                    .containsEntry("MAILPIPE_KAFKA_SASL_USERNAME", app.name())
                    .containsKeys("MAILPIPE_KAFKA_SASL_PASSWORD_FILE", "MAILPIPE_KAFKA_SSL_TRUSTSTORE_FILE");
            final Container container = Deployed.container(docs, app);
            final var pod = Deployed.deployment(docs, app).getSpec().getTemplate().getSpec();
            assertMounted(app, container, pod.getVolumes(), env.get("MAILPIPE_KAFKA_SASL_PASSWORD_FILE"), app.name(), "password");
            assertMounted(app, container, pod.getVolumes(), env.get("MAILPIPE_KAFKA_SSL_TRUSTSTORE_FILE"),
                    "mailpipe-cluster-ca-cert", "ca.crt");
        }
    }

    /** {@code file} is the key {@code key} of secret {@code secret}, mounted into the container. */
    private static void assertMounted(final AppCatalog app, final Container container, final List<Volume> volumes,
            final String file, final String secret, final String key) {
        final boolean mounted = container.getVolumeMounts().stream().anyMatch(m -> volumes.stream()
                .filter(v -> v.getName().equals(m.getName()) && v.getSecret() != null)
                .filter(v -> v.getSecret().getSecretName().equals(secret))
                .anyMatch(v -> (m.getMountPath() + "/" + key).equals(file) && (v.getSecret().getItems().isEmpty()
                        || v.getSecret().getItems().stream().anyMatch(i -> i.getKey().equals(key) && i.getPath().equals(key)))));
        assertThat(mounted).as(app.manifest() + ": " + file + " must be key " + key + " of secret " + secret
                + ", mounted read-only").isTrue();
    }

    @Test
    void everyServiceHasAKafkaUserWithExactlyTheAclsItsCodeNeeds() {
        final List<String> problems = new ArrayList<>();
        for (final AppCatalog app : AppCatalog.APPS) {
            final KafkaUser user = Manifests.ofKind(docs, "KafkaUser").stream().filter(d -> d.name().equals(app.name()))
                    .findFirst().map(d -> d.as(KafkaUser.class)).orElse(null);
            if (user == null) {
                problems.add(app.manifest() + ": needs a KafkaUser named " + app.name());
                continue;
            }
            if (!(user.getSpec().getAuthentication() instanceof KafkaUserScramSha512ClientAuthentication)) {
                problems.add(app.manifest() + ": KafkaUser " + app.name() + " must authenticate with scram-sha-512");
            }
            if (!(user.getSpec().getAuthorization() instanceof KafkaUserAuthorizationSimple simple)) {
                problems.add(app.manifest() + ": KafkaUser " + app.name() + " needs authorization type simple");
                continue;
            }
            final Map<String, Set<String>> actual = new TreeMap<>();
            for (final AclRule rule : simple.getAcls()) {
                final Set<String> ops = rule.getOperations() == null ? new TreeSet<>() : rule.getOperations().stream()
                        .map(AclOperation::toValue).collect(Collectors.toCollection(TreeSet::new));
                if (rule.getOperation() != null) {
                    ops.add(rule.getOperation().toValue());
                }
                final String resource = resource(rule);
                if (actual.put(resource, ops) != null) {
                    problems.add(app.manifest() + ": KafkaUser " + app.name() + " lists " + resource + " twice");
                }
            }
            final Map<String, Set<String>> wanted = wantedAcls(access(app));
            if (!actual.equals(wanted)) {
                final StringBuilder diff = new StringBuilder(app.manifest() + ": KafkaUser " + app.name()
                        + " must have exactly the ACLs of " + app.mainClass() + ".kafkaAccess(...):");
                wanted.forEach((resource, ops) -> {
                    if (!ops.equals(actual.get(resource))) {
                        diff.append("\n  set ").append(resource).append(" operations: [")
                                .append(String.join(", ", ops)).append("]   (is ").append(actual.get(resource)).append(")")
                                .append("\n    - resource: {").append(yamlResource(resource)).append("}\n      operations: [")
                                .append(String.join(", ", ops)).append("]");
                    }
                });
                actual.keySet().stream().filter(r -> !wanted.containsKey(r))
                        .forEach(r -> diff.append("\n  remove ").append(r).append(" (the code does not use it)"));
                problems.add(diff.toString());
            }
        }
        assertThat(problems).as(String.join("\n", problems)).isEmpty();
    }

    /** topic:literal:NAME → operations, from what the code says it does. */
    static Map<String, Set<String>> wantedAcls(final KafkaAccess access) {
        final Map<String, Set<String>> acls = new TreeMap<>();
        for (final TopicSpec spec : access.topics()) {
            final Set<String> ops = new TreeSet<>(Set.of("Describe"));
            if (access.reads().contains(spec.name())) {
                ops.add("Read");
            }
            if (access.writes().contains(spec.name())) {
                ops.add("Write");
            }
            acls.put("topic:literal:" + spec.name(), ops);
        }
        access.group().ifPresent(g -> acls.put("group:literal:" + g.id(), new TreeSet<>(Set.of("Describe", "Read"))));
        access.transactionalIdPrefix().ifPresent(p -> acls.put("transactionalId:prefix:" + p,
                new TreeSet<>(Set.of("Describe", "Write"))));
        // a Streams application creates, restores from and writes its own changelogs
        access.internalTopicPrefix().ifPresent(p -> acls.put("topic:prefix:" + p,
                new TreeSet<>(Set.of("Create", "Describe", "Read", "Write"))));
        return acls;
    }

    private static String resource(final AclRule rule) {
        if (rule.getResource() instanceof AclRuleTopicResource t) {
            return "topic:" + pattern(t.getPatternType()) + ":" + t.getName();
        }
        if (rule.getResource() instanceof AclRuleGroupResource g) {
            return "group:" + pattern(g.getPatternType()) + ":" + g.getName();
        }
        if (rule.getResource() instanceof AclRuleTransactionalIdResource x) {
            return "transactionalId:" + pattern(x.getPatternType()) + ":" + x.getName();
        }
        return rule.getResource().getType() + ":cluster";
    }

    private static String pattern(final AclResourcePatternType type) {
        return type == null ? "literal" : type.toValue();
    }

    private static String yamlResource(final String resource) {
        final String[] parts = resource.split(":", 3);
        return "type: " + parts[0] + ", name: " + parts[2] + ", patternType: " + parts[1];
    }

    private static String snippet(final TopicSpec spec, final int partitions) {
        final Map<String, String> config = new LinkedHashMap<>();
        config.put("min.insync.replicas", "2");
        config.putAll(spec.config());
        final StringBuilder yaml = new StringBuilder("---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\n"
                + "metadata:\n  name: " + spec.name().replace('.', '-').replace('_', '-') + "\n  namespace: mailpipe\n"
                + "  labels:\n    strimzi.io/cluster: mailpipe\nspec:\n  topicName: " + spec.name() + "\n  partitions: "
                + partitions + "\n  replicas: 3\n  config:\n");
        config.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(
                k.equals("max.message.bytes") ? "20971520" : v).append("\"\n"));
        return yaml.toString();
    }
}
