package dev.mailpipe.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Looks up what a rendered set of manifests says about one service. */
final class Deployed {

    private Deployed() {
    }

    static Deployment deployment(final List<Manifests.Doc> docs, final AppCatalog app) {
        return docs.stream().filter(d -> d.kind().equals("Deployment") && d.name().equals(app.name())).findFirst()
                .map(d -> d.as(Deployment.class))
                .orElseThrow(() -> new AssertionError(app.manifest() + ": no Deployment named " + app.name()));
    }

    static Container container(final List<Manifests.Doc> docs, final AppCatalog app) {
        final List<Container> containers = deployment(docs, app).getSpec().getTemplate().getSpec().getContainers();
        return containers.stream().filter(c -> c.getName().equals(app.name())).findFirst()
                .orElseThrow(() -> new AssertionError(app.manifest() + ": no container named " + app.name()));
    }

    /** The environment the service's container gets: its ConfigMaps' data, then its literal env values. */
    static Map<String, String> environment(final List<Manifests.Doc> docs, final AppCatalog app) {
        final Container container = container(docs, app);
        final Map<String, String> env = new TreeMap<>();
        for (final EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                final String name = from.getConfigMapRef().getName();
                docs.stream().filter(d -> d.kind().equals("ConfigMap") && d.name().equals(name)).findFirst()
                        .map(d -> d.as(ConfigMap.class).getData())
                        .ifPresentOrElse(env::putAll, () -> {
                            throw new AssertionError(app.manifest() + ": ConfigMap " + name + " does not exist");
                        });
            }
        }
        for (final EnvVar var : container.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            }
        }
        return env;
    }
}
