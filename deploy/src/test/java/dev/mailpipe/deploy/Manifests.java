package dev.mailpipe.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every manifest under {@code deploy/kubernetes}, parsed into a typed model: fabric8's
 * kubernetes-model for the core kinds, Strimzi's {@code api} for Kafka, KafkaNodePool, KafkaTopic
 * and KafkaUser, and {@link Keda}'s records for ScaledObject and TriggerAuthentication. Unknown
 * fields are errors: fabric8 and Strimzi keep them in {@code additionalProperties}, which
 * {@link #unknownFields} walks; the KEDA records reject them while parsing.
 */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The kinds mailpipe's manifests may contain and their typed models. */
    static final Map<String, Class<?>> KINDS = Map.ofEntries(
            Map.entry("Namespace", Namespace.class),
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class),
            Map.entry("Service", Service.class),
            Map.entry("Deployment", Deployment.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("Kafka", Kafka.class),
            Map.entry("KafkaNodePool", KafkaNodePool.class),
            Map.entry("KafkaTopic", KafkaTopic.class),
            Map.entry("KafkaUser", KafkaUser.class),
            Map.entry("ScaledObject", Keda.ScaledObject.class),
            Map.entry("TriggerAuthentication", Keda.TriggerAuthentication.class));

    /** One YAML document of a manifest file. */
    record Doc(Path file, int index, JsonNode tree, Object model) {
        String kind() {
            return tree.path("kind").asText();
        }

        String name() {
            return tree.path("metadata").path("name").asText();
        }

        String where() {
            return root().relativize(file) + " (" + kind() + " " + name() + ")";
        }

        <T> T as(final Class<T> type) {
            return type.cast(model);
        }
    }

    private Manifests() {
    }

    /** The repository's root directory (tests run in {@code deploy/}). */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no deploy/kubernetes above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path kubernetes() {
        return root().resolve("deploy/kubernetes");
    }

    static Path base() {
        return kubernetes().resolve("base");
    }

    /** Every .yaml file under {@code dir} except kustomization.yaml, sorted. */
    static List<Path> manifestFiles(final Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML documents of {@code file}, as trees (empty documents skipped). */
    static List<JsonNode> trees(final Path file) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            final List<JsonNode> out = new ArrayList<>();
            while (docs.hasNext()) {
                final JsonNode node = docs.next();
                if (node != null && !node.isNull() && !node.isMissingNode() && !node.isEmpty()) {
                    out.add(node);
                }
            }
            return out;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Parses every document of {@code file} into its typed model; throws naming the document on any problem. */
    static List<Doc> parse(final Path file) {
        final List<Doc> docs = new ArrayList<>();
        final List<JsonNode> trees = trees(file);
        for (int i = 0; i < trees.size(); i++) {
            final JsonNode tree = trees.get(i);
            final String kind = tree.path("kind").asText();
            final Class<?> type = KINDS.get(kind);
            final String where = root().relativize(file) + " document " + (i + 1) + " (" + kind + " "
                    + tree.path("metadata").path("name").asText() + ")";
            if (type == null) {
                throw new AssertionError(where + ": kind " + kind + " has no typed model; known kinds: "
                        + KINDS.keySet().stream().sorted().toList() + " (add one to Manifests.KINDS)");
            }
            final Object model;
            try {
                model = YAML.treeToValue(tree, type);
            } catch (final IOException e) {
                throw new AssertionError(where + ": " + e.getMessage(), e);
            }
            final List<String> unknown = new ArrayList<>();
            unknownFields(model, kind, unknown);
            if (!unknown.isEmpty()) {
                throw new AssertionError(where + ": unknown fields " + unknown);
            }
            checkApiVersion(where, tree.path("apiVersion").asText(), type);
            docs.add(new Doc(file, i, tree, model));
        }
        return docs;
    }

    /** Every document of the base, parsed. */
    static List<Doc> baseDocs() {
        return manifestFiles(base()).stream().flatMap(f -> parse(f).stream()).toList();
    }

    static List<Doc> ofKind(final List<Doc> docs, final String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    private static void checkApiVersion(final String where, final String apiVersion, final Class<?> type) {
        final List<String> accepted = new ArrayList<>();
        if (type.isAnnotationPresent(Version.class)) {
            final String group = type.isAnnotationPresent(Group.class) ? type.getAnnotation(Group.class).value() : "";
            accepted.add((group.isEmpty() ? "" : group + "/") + type.getAnnotation(Version.class).value());
        }
        try {
            @SuppressWarnings("unchecked")
            final List<String> versions = (List<String>) type.getField("VERSIONS").get(null);
            final String group = (String) type.getField("RESOURCE_GROUP").get(null);
            versions.forEach(v -> accepted.add(group + "/" + v));
        } catch (final NoSuchFieldException e) {
            // not a Strimzi resource
        } catch (final IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        if (type == Keda.ScaledObject.class || type == Keda.TriggerAuthentication.class) {
            accepted.add(Keda.API_VERSION);
        }
        if (!accepted.contains(apiVersion)) {
            throw new AssertionError(where + ": apiVersion " + apiVersion + " is not one of " + accepted);
        }
    }

    /**
     * Collects, with their paths, the fields fabric8's and Strimzi's models did not know: they parse
     * them into {@code additionalProperties} instead of failing.
     */
    static void unknownFields(final Object value, final String path, final List<String> out) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (final Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        final Class<?> type = value.getClass();
        if (type.isRecord()) {
            for (final java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
                try {
                    unknownFields(component.getAccessor().invoke(value), path + "." + component.getName(), out);
                } catch (final IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException(e);
                }
            }
            return;
        }
        if (type.isEnum() || !(type.getName().startsWith("io.fabric8.") || type.getName().startsWith("io.strimzi."))) {
            return;
        }
        for (final Method getter : type.getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class
                    // fabric8 marks getAdditionalProperties @JsonIgnore (it is the @JsonAnyGetter)
                    || getter.isAnnotationPresent(JsonIgnore.class) && !getter.getName().equals("getAdditionalProperties")
                    || !getter.getName().startsWith("get") || getter.getReturnType().isPrimitive()) {
                continue;
            }
            final Object field;
            try {
                field = getter.invoke(value);
            } catch (final IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> out.add(path + "." + k));
                }
            } else {
                final String name = getter.getName().substring(3);
                unknownFields(field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), out);
            }
        }
    }
}
