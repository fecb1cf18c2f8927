package dev.mailpipe.deploy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of kustomize to render mailpipe's base and overlays without kubectl: resources (files
 * and directories with a kustomization.yaml), JSON 6902 patches with a target selector, image tags
 * and the namespace. A kustomization field it does not know fails the parse, a patch whose target
 * matches nothing or whose path is missing fails the render, and every rendered document is parsed
 * into its typed model again (so a patch cannot produce an invalid field either).
 */
final class Kustomize {

    record Kustomization(String apiVersion, String kind, String namespace, List<String> resources,
            List<Patch> patches, List<Image> images) {
    }

    record Patch(String path, String patch, Target target) {
    }

    record Target(String group, String version, String kind, String name, String namespace) {
    }

    record Image(String name, String newName, String newTag, String digest) {
    }

    record Op(String op, String path, JsonNode value, String from) {
    }

    private Kustomize() {
    }

    static Kustomization read(final Path dir) {
        final Path file = dir.resolve("kustomization.yaml");
        try {
            return Manifests.YAML.readValue(file.toFile(), Kustomization.class);
        } catch (final IOException e) {
            throw new AssertionError(Manifests.root().relativize(file) + ": " + e.getMessage(), e);
        }
    }

    /** The documents {@code kubectl apply -k dir} would apply, parsed into their typed models. */
    static List<Manifests.Doc> render(final Path dir) {
        final List<Manifests.Doc> out = new ArrayList<>();
        for (final Manifests.Doc doc : renderTrees(dir)) {
            final Path tmp;
            try {
                tmp = Files.createTempFile("rendered", ".yaml");
                Manifests.YAML.writeValue(tmp.toFile(), doc.tree());
                final Manifests.Doc parsed = Manifests.parse(tmp).get(0);
                out.add(new Manifests.Doc(doc.file(), doc.index(), parsed.tree(), parsed.model()));
                Files.delete(tmp);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            } catch (final AssertionError e) {
                throw new AssertionError("rendering " + Manifests.root().relativize(dir) + ", " + doc.where()
                        + " after patches: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static List<Manifests.Doc> renderTrees(final Path dir) {
        final Kustomization k = read(dir);
        final String where = Manifests.root().relativize(dir.resolve("kustomization.yaml")).toString();
        if (!"Kustomization".equals(k.kind()) || !"kustomize.config.k8s.io/v1beta1".equals(k.apiVersion())) {
            throw new AssertionError(where + ": expected kustomize.config.k8s.io/v1beta1 Kustomization");
        }
        final List<Manifests.Doc> docs = new ArrayList<>();
        for (final String resource : k.resources() == null ? List.<String>of() : k.resources()) {
            final Path path = dir.resolve(resource).normalize();
            if (Files.isDirectory(path)) {
                if (!Files.exists(path.resolve("kustomization.yaml"))) {
                    throw new AssertionError(where + ": resource " + resource + " is a directory without kustomization.yaml");
                }
                docs.addAll(renderTrees(path));
            } else if (Files.isRegularFile(path)) {
                final List<JsonNode> trees = Manifests.trees(path);
                for (int i = 0; i < trees.size(); i++) {
                    docs.add(new Manifests.Doc(path, i, trees.get(i).deepCopy(), null));
                }
            } else {
                throw new AssertionError(where + ": resource " + resource + " does not exist");
            }
        }
        for (final Patch patch : k.patches() == null ? List.<Patch>of() : k.patches()) {
            applyPatch(where, patch, docs);
        }
        for (final Image image : k.images() == null ? List.<Image>of() : k.images()) {
            setImage(where, image, docs);
        }
        if (k.namespace() != null) {
            docs.stream().filter(d -> !d.kind().equals("Namespace"))
                    .forEach(d -> ((ObjectNode) d.tree().path("metadata")).put("namespace", k.namespace()));
        }
        return docs;
    }

    private static void applyPatch(final String where, final Patch patch, final List<Manifests.Doc> docs) {
        if (patch.path() != null || patch.patch() == null || patch.target() == null) {
            throw new AssertionError(where + ": only inline JSON 6902 patches with a target are supported here");
        }
        final List<Op> ops;
        try {
            ops = Manifests.YAML.readerForListOf(Op.class).readValue(patch.patch());
        } catch (final IOException e) {
            throw new AssertionError(where + ": patch for " + patch.target() + ": " + e.getMessage(), e);
        }
        final List<Manifests.Doc> targets = docs.stream()
                .filter(d -> patch.target().kind() == null || patch.target().kind().equals(d.kind()))
                .filter(d -> patch.target().name() == null || patch.target().name().equals(d.name()))
                .toList();
        if (targets.isEmpty()) {
            throw new AssertionError(where + ": patch target " + patch.target() + " matches no resource");
        }
        for (final Manifests.Doc doc : targets) {
            for (final Op op : ops) {
                apply(where + ", " + doc.where(), doc.tree(), op);
            }
        }
    }

    private static void apply(final String where, final JsonNode tree, final Op op) {
        final JsonPointer pointer = JsonPointer.compile(op.path());
        final JsonNode parent = tree.at(pointer.head());
        final String last = pointer.last().getMatchingProperty();
        final boolean exists = !tree.at(pointer).isMissingNode();
        switch (op.op()) {
            case "replace" -> {
                require(exists, where + ": replace " + op.path() + ": no such path");
                set(parent, last, op.value(), false);
            }
            case "add" -> {
                require(parent.isObject() || parent.isArray(), where + ": add " + op.path() + ": no parent");
                set(parent, last, op.value(), true);
            }
            case "remove" -> {
                require(exists, where + ": remove " + op.path() + ": no such path");
                if (parent.isObject()) {
                    ((ObjectNode) parent).remove(last);
                } else {
                    ((ArrayNode) parent).remove(Integer.parseInt(last));
                }
            }
            default -> throw new AssertionError(where + ": op " + op.op() + " is not supported here");
        }
    }

    private static void set(final JsonNode parent, final String key, final JsonNode value, final boolean insert) {
        if (parent.isObject()) {
            ((ObjectNode) parent).set(key, value);
        } else if (key.equals("-")) {
            ((ArrayNode) parent).add(value);
        } else if (insert) {
            ((ArrayNode) parent).insert(Integer.parseInt(key), value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(key), value);
        }
    }

    private static void setImage(final String where, final Image image, final List<Manifests.Doc> docs) {
        boolean found = false;
        for (final Manifests.Doc doc : docs) {
            for (final JsonNode container : doc.tree().at("/spec/template/spec/containers")) {
                final String current = container.path("image").asText();
                final String name = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
                if (name.equals(image.name())) {
                    found = true;
                    final String newName = image.newName() == null ? name : image.newName();
                    final String tag = image.digest() != null ? "@" + image.digest()
                            : ":" + (image.newTag() == null ? current.substring(current.lastIndexOf(':') + 1) : image.newTag());
                    ((ObjectNode) container).set("image", TextNode.valueOf(newName + tag));
                }
            }
        }
        require(found, where + ": image " + image.name() + " is used by no container");
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
