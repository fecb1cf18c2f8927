package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every manifest parses into its typed model, kustomize can render base and overlays, every service has its set. */
class ManifestModelTest {

    /** The kinds every service's manifest file must hold, each named after the service. */
    static final List<String> PER_APP_KINDS = List.of("Deployment", "PodDisruptionBudget", "ScaledObject", "KafkaUser",
            "NetworkPolicy");

    @Test
    void everyManifestParsesIntoItsTypedModelWithoutUnknownFields() {
        final List<Path> files = Manifests.manifestFiles(Manifests.kubernetes());
        assertThat(files).hasSizeGreaterThan(8);
        for (final Path file : files) {
            assertThat(Manifests.parse(file)).as(file.toString()).isNotEmpty();
        }
    }

    @Test
    void theBaseListsEveryManifestBesideIt() throws IOException {
        final Kustomize.Kustomization base = Kustomize.read(Manifests.base());
        final Set<String> files;
        try (Stream<Path> list = Files.list(Manifests.base())) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(new TreeSet<>(base.resources()))
                .as("deploy/kubernetes/base/kustomization.yaml resources: list every manifest file of the base")
                .isEqualTo(files);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/production"})
    void kustomizeRendersIntoValidManifests(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        assertThat(docs).extracting(Manifests.Doc::kind).contains("Kafka", "KafkaTopic", "Deployment", "ScaledObject");
        assertThat(docs).allSatisfy(d -> assertThat(d.tree().path("metadata").path("namespace").asText())
                .as(d.where()).isIn("mailpipe", ""));
        final Map<String, Long> names = docs.stream().collect(Collectors.groupingBy(d -> d.kind() + "/" + d.name(),
                Collectors.counting()));
        assertThat(names).as("each kind/name once").allSatisfy((name, count) -> assertThat(count).as(name).isOne());
    }

    @Test
    void theSmallOverlayReallyShrinksTheCluster() {
        final List<Manifests.Doc> small = Kustomize.render(Manifests.kubernetes().resolve("overlays/small"));
        assertThat(Manifests.ofKind(small, "KafkaTopic")).allSatisfy(t -> assertThat(t.tree().at("/spec/replicas").asInt())
                .as(t.where()).isEqualTo(1));
        assertThat(small).extracting(Manifests.Doc::kind).contains("Secret");
    }

    @Test
    void unknownFieldsAreErrors(@TempDir final Path dir) {
        assertRejected(dir, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          securityContxt: {runAsNonRoot: true}
                """, "securityContxt");
        assertRejected(dir, """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: x}
                spec: {topicName: x, partiton: 3}
                """, "partiton");
        assertRejected(dir, """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata: {name: x}
                spec:
                  authorization:
                    type: simple
                    acls:
                      - resource: {type: topic, name: x, patternTyp: literal}
                        operations: [Read]
                """, "patternTyp");
        assertRejected(dir, """
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: x}
                spec: {scaleTargetRef: {name: x}, maxReplicas: 3}
                """, "maxReplicas");
        assertRejected(dir, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x, labels: {a: b}, label: {c: d}}
                """, "label");
        assertRejected(dir, """
                apiVersion: apps/v2
                kind: Deployment
                metadata: {name: x}
                """, "apiVersion");
    }

    private static void assertRejected(final Path dir, final String yaml, final String expected) {
        final Path file = dir.resolve("bad-" + Math.abs(yaml.hashCode()) + ".yaml");
        try {
            Files.writeString(file, yaml);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThatThrownBy(() -> Manifests.parse(file)).isInstanceOf(AssertionError.class).hasMessageContaining(expected);
    }

    @Test
    void everyServiceHasItsManifestSet() {
        final Map<String, AppCatalog> catalog = new LinkedHashMap<>();
        AppCatalog.APPS.forEach(a -> catalog.put(a.mainClass(), a));
        final List<String> problems = new ArrayList<>();
        for (final String main : serviceMainClasses()) {
            if (!catalog.containsKey(main)) {
                problems.add("service " + main + " has no Kubernetes manifests: add deploy/kubernetes/base/<name>.yaml "
                        + "with its Deployment, PodDisruptionBudget, ScaledObject, KafkaUser, metrics Service and "
                        + "NetworkPolicy (copy expander.yaml), list it in base/kustomization.yaml, add its entry to "
                        + "deploy/src/test/java/dev/mailpipe/deploy/AppCatalog.java, its module to deploy/pom.xml and "
                        + "its case to deploy/container-entrypoint.sh");
            }
        }
        final List<Manifests.Doc> docs = Manifests.baseDocs();
        for (final AppCatalog app : AppCatalog.APPS) {
            final Path file = Manifests.root().resolve(app.manifest());
            if (!Files.exists(file)) {
                problems.add(app.name() + ": " + app.manifest() + " is missing");
                continue;
            }
            final List<Manifests.Doc> own = Manifests.parse(file);
            for (final String kind : PER_APP_KINDS) {
                if (own.stream().noneMatch(d -> d.kind().equals(kind) && d.name().equals(app.name()))) {
                    problems.add(app.manifest() + ": needs a " + kind + " named " + app.name());
                }
            }
            if (own.stream().noneMatch(d -> d.kind().equals("Service") && d.name().equals(app.name() + "-metrics"))) {
                problems.add(app.manifest() + ": needs a Service named " + app.name() + "-metrics (port metrics)");
            }
        }
        assertThat(docs).isNotEmpty();
        assertThat(problems).as(String.join("\n", problems)).isEmpty();
    }

    @Test
    void theEntrypointRunsEveryServiceWithItsMainClass() throws IOException {
        final Map<String, String> cases = entrypointCases(Manifests.root().resolve("deploy/container-entrypoint.sh"));
        for (final AppCatalog app : AppCatalog.APPS) {
            assertThat(cases).as("deploy/container-entrypoint.sh needs: %s) main=%s ;;", app.name(), app.mainClass())
                    .containsEntry(app.name(), app.mainClass());
        }
    }

    /** {@code name) main=class ;;} lines of a shell case. */
    static Map<String, String> entrypointCases(final Path script) throws IOException {
        final Map<String, String> cases = new LinkedHashMap<>();
        final Matcher m = Pattern.compile("(?m)^\\s*([a-z][a-z-]*)\\)\\s*main=([\\w.]+)\\s*;;").matcher(Files.readString(script));
        while (m.find()) {
            cases.put(m.group(1), m.group(2));
        }
        return cases;
    }

    /** Classes in the repository's main sources that implement MailpipeApp and have a main method. */
    static Set<String> serviceMainClasses() {
        final Set<String> mains = new TreeSet<>();
        final Pattern pkg = Pattern.compile("(?m)^package ([\\w.]+);");
        try (Stream<Path> files = Files.walk(Manifests.root(), 8)) {
            for (final Path file : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/")).filter(p -> !p.toString().contains("/target/"))
                    .toList()) {
                final String source = Files.readString(file);
                if (source.contains("implements MailpipeApp") && source.contains("static void main(")) {
                    final Matcher m = pkg.matcher(source);
                    if (m.find()) {
                        mains.add(m.group(1) + "." + file.getFileName().toString().replace(".java", ""));
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(mains).as("service main classes found in the sources").isNotEmpty();
        return mains;
    }
}
