package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry point runs every service from the image's layout: {@code deploy/target/image}
 * (built by this module's package phase: the entry point and lib/ with every runtime jar) is
 * exactly what deploy/Dockerfile copies to /opt/mailpipe. No Docker engine is needed: each service
 * is started from that directory as Kubernetes would start it — against an authenticating,
 * authorizing Kafka cluster (SASL, ACLs on, nothing allowed without one), as a user holding exactly
 * the ACLs of the service's {@code KafkaUser} manifest, with the topics its {@code KafkaTopic}s
 * describe — must become ready on /readyz (its group, if any, gets a member), and must stop on
 * SIGTERM. So the manifests' ACLs suffice, and every Kafka client of the service reads the
 * {@code MAILPIPE_KAFKA_*} settings.
 */
class ContainerEntrypointIT {

    /** A user of the test kit's PLAIN JAAS config; the kit's admin client is the super user. */
    private static final String USER = JaasUtils.KAFKA_PLAIN_USER1;
    private static KafkaClusterTestKit kafka;
    private static Admin admin;

    @BeforeAll
    static void startKafka() throws Exception {
        final TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).build();
        kafka = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("message.max.bytes", "20971520")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        admin = kafka.admin();
        // The topics as the KafkaTopic manifests describe them (one replica, at most 2 partitions here).
        final List<NewTopic> topics = new ArrayList<>();
        for (final Manifests.Doc doc : Manifests.ofKind(Kustomize.render(Manifests.base()), "KafkaTopic")) {
            final KafkaTopic topic = doc.as(KafkaTopic.class);
            final Map<String, String> config = new TreeMap<>();
            topic.getSpec().getConfig().forEach((k, v) -> config.put(k, v.toString()));
            config.put("min.insync.replicas", "1");
            topics.add(new NewTopic(topic.getSpec().getTopicName(), Math.min(2, topic.getSpec().getPartitions()),
                    (short) 1).configs(config));
        }
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Replaces the user's ACLs with those of the app's KafkaUser manifest. */
    private static void grantAclsOf(final AppCatalog app) throws Exception {
        admin.deleteAcls(List.of(new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
                "User:" + USER, null, AclOperation.ANY, AclPermissionType.ANY)))).all().get(30, TimeUnit.SECONDS);
        final KafkaUser user = Manifests.ofKind(Kustomize.render(Manifests.base()), "KafkaUser").stream()
                .filter(d -> d.name().equals(app.name())).findFirst().orElseThrow().as(KafkaUser.class);
        final List<AclBinding> bindings = new ArrayList<>();
        for (final AclRule rule : ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
            final ResourcePattern pattern = pattern(rule);
            for (final var operation : rule.getOperations()) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + USER, "*",
                        AclOperation.fromString(operation.toValue()), AclPermissionType.ALLOW)));
            }
        }
        admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    }

    private static ResourcePattern pattern(final AclRule rule) {
        if (rule.getResource() instanceof AclRuleTopicResource t) {
            return new ResourcePattern(ResourceType.TOPIC, t.getName(), patternType(t.getPatternType()));
        }
        if (rule.getResource() instanceof AclRuleGroupResource g) {
            return new ResourcePattern(ResourceType.GROUP, g.getName(), patternType(g.getPatternType()));
        }
        if (rule.getResource() instanceof AclRuleTransactionalIdResource x) {
            return new ResourcePattern(ResourceType.TRANSACTIONAL_ID, x.getName(), patternType(x.getPatternType()));
        }
        return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
    }

    private static PatternType patternType(final AclResourcePatternType type) {
        return type == AclResourcePatternType.PREFIX ? PatternType.PREFIXED : PatternType.LITERAL;
    }

    private static final Path IMAGE = Manifests.root().resolve("deploy/target/image");
    private static final Pattern OPS = Pattern.compile("metrics and health on http://[^:]+:(\\d+)/");

    @Test
    void theDockerfileCopiesThisLayout() throws IOException {
        final String dockerfile = Files.readString(Manifests.root().resolve("deploy/Dockerfile"));
        assertThat(dockerfile).contains("COPY deploy/target/image/ /opt/mailpipe/")
                .contains("ENTRYPOINT [\"/bin/sh\", \"/opt/mailpipe/container-entrypoint.sh\"]")
                .contains("USER 10001");
        assertThat(IMAGE.resolve("container-entrypoint.sh")).isRegularFile();
        try (var jars = Files.list(IMAGE.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("mailpipe-ingest-smtp-"))
                    .anyMatch(n -> n.startsWith("mailpipe-expander-"))
                    .anyMatch(n -> n.startsWith("mailpipe-mx-deliverer-"))
                    .anyMatch(n -> n.startsWith("slf4j-simple-"))
                    .noneMatch(n -> n.startsWith("mailpipe-test-support-") || n.startsWith("kubernetes-model-"));
        }
    }

    @Test
    void everyServiceStartsFromTheImageLayoutWithItsManifestAclsBecomesReadyAndStopsOnSigterm(@TempDir final Path tmp)
            throws Exception {
        final Path password = Files.writeString(tmp.resolve("password"), JaasUtils.KAFKA_PLAIN_USER1_PASSWORD + "\n");
        for (final AppCatalog app : AppCatalog.APPS) {
            grantAclsOf(app);
            final Map<String, String> env = new TreeMap<>(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "MAILPIPE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                    "MAILPIPE_KAFKA_SASL_MECHANISM", "PLAIN",
                    "MAILPIPE_KAFKA_SASL_USERNAME", USER,
                    "MAILPIPE_KAFKA_SASL_PASSWORD_FILE", password.toString(),
                    "MAILPIPE_HTTP_PORT", "0",
                    "MAILPIPE_HTTP_HOST", "127.0.0.1",
                    "MAILPIPE_SMTP_PORT", "0",
                    "MAILPIPE_SMTP_HOST", "127.0.0.1"));
            env.put("MAILPIPE_EXPANDER_STATE_DIR", tmp.resolve(app.name()).toString());
            env.put("MAILPIPE_TOPIC_REPLICATION_FACTOR", "1");
            env.put("MAILPIPE_HOSTNAME", "mail.example.test");
            env.put("MAILPIPE_WEB_PORT", "0");
            env.put("MAILPIPE_WEB_HOST", "127.0.0.1");
            env.put("MAILPIPE_PUBLIC_URL", "http://127.0.0.1/");
            env.put("MAILPIPE_TRACKING_SECRET", AppCatalog.TRACKING_SECRET);
            final Process process = start(List.of("run", app.name()), env);
            final List<String> output = drain(process);
            try {
                await(app.name() + " prints its ops port").atMost(Duration.ofSeconds(90))
                        .until(() -> port(output) > 0 || !process.isAlive());
                assertThat(process.isAlive()).as(app.name() + " is running:\n" + String.join("\n", output)).isTrue();
                final URI ready = URI.create("http://127.0.0.1:" + port(output) + "/readyz");
                final HttpClient http = HttpClient.newHttpClient();
                await(app.name() + " ready").atMost(Duration.ofSeconds(90)).until(() -> http.send(
                        HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                final var group = app.kafka().apply(Map.of()).group();
                if (group.isPresent()) {
                    await(app.name() + " joins group " + group.get().id()).atMost(Duration.ofSeconds(60))
                            .until(() -> !admin.describeConsumerGroups(List.of(group.get().id())).all()
                                    .get(10, TimeUnit.SECONDS).get(group.get().id()).members().isEmpty());
                }
                assertThat(output).as(app.name() + " output").noneMatch(line -> line.contains("AuthorizationException")
                        || line.contains("Not authorized") || line.contains("Authentication failed"));
            } finally {
                process.destroy(); // SIGTERM, as the kubelet does
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(app.name() + " stops on SIGTERM:\n"
                        + String.join("\n", output)).isTrue();
            }
        }
    }

    @Test
    void anUnknownAppIsAUsageError() throws Exception {
        final Process process = start(List.of("run", "nonsense"), Map.of());
        final List<String> output = drain(process);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        await().untilAsserted(() -> assertThat(String.join("\n", output)).contains("usage: run ingest-smtp|"));
    }

    @Test
    void theAccountsCliRunsToo() throws Exception {
        final Process process = start(List.of("accounts", "--help"), Map.of());
        final List<String> output = drain(process);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        await().untilAsserted(() -> assertThat(String.join("\n", output)).contains("Manage mailpipe accounts"));
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void theOperatorsReadOnlyToolsRunToo() throws Exception {
        for (final List<String> tool : List.of(List.of("stats", "--help"), List.of("queue", "--help"))) {
            final Process process = start(tool, Map.of());
            final List<String> output = drain(process);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().untilAsserted(() -> assertThat(String.join("\n", output)).contains("Usage: " + tool.getFirst()));
            assertThat(process.exitValue()).as(String.join("\n", output)).isZero();
        }
    }

    private static Process start(final List<String> args, final Map<String, String> env) throws IOException {
        final List<String> command = new java.util.ArrayList<>(List.of("/bin/sh",
                IMAGE.resolve("container-entrypoint.sh").toString()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("MAILPIPE_") || k.startsWith("KAFKA_"));
        builder.environment().putAll(env);
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + builder.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        return builder.start();
    }

    private static List<String> drain(final Process process) {
        final List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (final IOException e) {
                lines.add("(output closed: " + e.getMessage() + ")");
            }
        });
        return lines;
    }

    private static int port(final List<String> output) {
        for (final String line : output) {
            final Matcher m = OPS.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }
}
