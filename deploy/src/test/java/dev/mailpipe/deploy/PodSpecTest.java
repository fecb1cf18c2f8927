package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every service's pod is hardened, sized to its heap, probed, spread and protected by a PDB, in base and overlays. */
class PodSpecTest {

    private static final long MIB = 1024 * 1024;
    /** Room outside the heap: metaspace, thread stacks, code cache, direct buffers, GC. */
    private static final long NON_HEAP_MIB = 256;

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/production"})
    void podsAreHardened(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        for (final AppCatalog app : AppCatalog.APPS) {
            final String where = dir + " " + app.manifest() + " Deployment " + app.name();
            final PodSpec pod = Deployed.deployment(docs, app).getSpec().getTemplate().getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).as(where + " automountServiceAccountToken").isFalse();
            assertThat(pod.getHostNetwork()).as(where + " hostNetwork").isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(where + " pod runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(where + " pod runAsUser").isPositive();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(where + " seccomp").isEqualTo("RuntimeDefault");
            assertThat(pod.getInitContainers()).as(where + " init containers").isEmpty();
            for (final Container c : pod.getContainers()) {
                final var sc = c.getSecurityContext();
                assertThat(sc).as(where + " container securityContext").isNotNull();
                assertThat(sc.getReadOnlyRootFilesystem()).as(where + " readOnlyRootFilesystem").isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).as(where + " allowPrivilegeEscalation").isFalse();
                assertThat(sc.getPrivileged()).as(where + " privileged").isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getCapabilities().getDrop()).as(where + " capabilities.drop").contains("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(where + " capabilities.add").isEmpty();
                assertThat(c.getImage()).as(where + " image tag").contains(":").doesNotEndWith(":latest");
                assertThat(c.getVolumeMounts()).as(where + " a writable emptyDir on /tmp (JVM temp files)")
                        .anySatisfy(m -> {
                            assertThat(m.getMountPath()).isEqualTo("/tmp");
                            assertThat(pod.getVolumes()).anySatisfy(v -> {
                                assertThat(v.getName()).isEqualTo(m.getName());
                                assertThat(v.getEmptyDir()).isNotNull();
                            });
                        });
                assertThat(c.getVolumeMounts()).filteredOn(m -> !m.getMountPath().equals("/tmp"))
                        .as(where + " other mounts are read-only").allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/production"})
    void resourcesMatchTheHeap(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        for (final AppCatalog app : AppCatalog.APPS) {
            final String where = dir + " " + app.manifest() + " container " + app.name();
            final Container c = Deployed.container(docs, app);
            final Map<String, Quantity> requests = c.getResources().getRequests();
            final Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(requests).as(where + " requests").containsKeys("cpu", "memory");
            assertThat(limits).as(where + " limits").containsKey("memory");
            final long limit = bytes(limits.get("memory"));
            assertThat(bytes(requests.get("memory"))).as(where + ": memory request = limit (the heap is fixed, the "
                    + "pod must never be evicted for using what it was promised)").isEqualTo(limit);
            final String javaOpts = Deployed.environment(docs, app).getOrDefault("JAVA_OPTS", "");
            final long xmx = heapFlag(javaOpts, "Xmx");
            assertThat(xmx).as(where + ": JAVA_OPTS needs an explicit -Xmx (is \"" + javaOpts + "\")").isPositive();
            assertThat(heapFlag(javaOpts, "Xms")).as(where + ": -Xms = -Xmx (no heap growth surprises)").isEqualTo(xmx);
            assertThat(xmx + NON_HEAP_MIB * MIB).as(where + ": -Xmx plus " + NON_HEAP_MIB
                    + " MiB non-heap must fit the memory limit " + limit / MIB + " MiB").isLessThanOrEqualTo(limit);
            assertThat(xmx).as(where + ": -Xmx should use at least half of the memory limit").isGreaterThanOrEqualTo(limit / 2);
            assertThat(javaOpts).as(where).contains("-XX:+ExitOnOutOfMemoryError");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/production"})
    void probesPdbsAndSpread(final String dir) {
        final List<Manifests.Doc> docs = Kustomize.render(Manifests.kubernetes().resolve(dir));
        for (final AppCatalog app : AppCatalog.APPS) {
            final String where = dir + " " + app.manifest() + " " + app.name();
            final Deployment deployment = Deployed.deployment(docs, app);
            final Container c = Deployed.container(docs, app);
            final ContainerPort metrics = c.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                    .orElseThrow(() -> new AssertionError(where + ": needs a container port named metrics"));
            assertThat(metrics.getContainerPort()).as(where + " metrics port").isEqualTo(app.metricsPort());
            assertThat(Deployed.environment(docs, app)).as(where).containsEntry("MAILPIPE_HTTP_PORT",
                    String.valueOf(app.metricsPort()));
            assertProbe(where + " readinessProbe", c.getReadinessProbe(), "/readyz");
            assertProbe(where + " livenessProbe", c.getLivenessProbe(), "/healthz");

            final Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(labels).as(where + " pod labels").containsEntry("app.kubernetes.io/part-of", "mailpipe")
                    .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
            assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                    .as(where + " terminationGracePeriodSeconds").isGreaterThanOrEqualTo(45L);

            final PodDisruptionBudget pdb = Manifests.ofKind(docs, "PodDisruptionBudget").stream()
                    .filter(d -> d.name().equals(app.name())).findFirst().map(d -> d.as(PodDisruptionBudget.class))
                    .orElseThrow(() -> new AssertionError(where + ": needs a PodDisruptionBudget"));
            assertThat(labels).as(where + " PDB selector").containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
            assertThat(pdb.getSpec().getMaxUnavailable() != null || pdb.getSpec().getMinAvailable() != null)
                    .as(where + " PDB bound").isTrue();

            final List<TopologySpreadConstraint> spread = deployment.getSpec().getTemplate().getSpec()
                    .getTopologySpreadConstraints();
            assertThat(spread).extracting(TopologySpreadConstraint::getTopologyKey).as(where + " topology spread")
                    .contains("topology.kubernetes.io/zone", "kubernetes.io/hostname");
            assertThat(spread).allSatisfy(s -> assertThat(labels).as(where + " spread selector")
                    .containsAllEntriesOf(s.getLabelSelector().getMatchLabels()));
        }
    }

    private static void assertProbe(final String where, final Probe probe, final String path) {
        assertThat(probe).as(where).isNotNull();
        assertThat(probe.getHttpGet()).as(where + " httpGet").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(where + " path").isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(where + " port").isEqualTo("metrics");
    }

    private static long bytes(final Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).setScale(0, java.math.RoundingMode.UP).longValueExact();
    }

    /** -Xmx768m → bytes; 0 when absent. */
    static long heapFlag(final String opts, final String flag) {
        final Matcher m = Pattern.compile("-" + flag + "(\\d+)([kKmMgG]?)\\b").matcher(opts);
        if (!m.find()) {
            return 0;
        }
        final long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n * 1024;
            case "m" -> n * MIB;
            case "g" -> n * 1024 * MIB;
            default -> n;
        };
    }
}
