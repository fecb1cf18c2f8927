package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing in or out by default; only ingest and web take traffic from outside; only the deliverer opens port 25. */
class NetworkPolicyTest {

    private final List<Manifests.Doc> docs = Kustomize.render(Manifests.base());

    private List<NetworkPolicy> policies() {
        return Manifests.ofKind(docs, "NetworkPolicy").stream().map(d -> d.as(NetworkPolicy.class)).toList();
    }

    private static boolean selects(final NetworkPolicy policy, final Map<String, String> labels) {
        final var selector = policy.getSpec().getPodSelector();
        return empty(selector.getMatchExpressions()) && labels.entrySet().containsAll(
                selector.getMatchLabels() == null ? Map.<String, String>of().entrySet() : selector.getMatchLabels().entrySet());
    }

    private Map<String, String> podLabels(final AppCatalog app) {
        return Deployed.deployment(docs, app).getSpec().getTemplate().getMetadata().getLabels();
    }

    @Test
    void everyMailpipePodStartsFromDenyAll() {
        final NetworkPolicy deny = policies().stream().filter(p -> p.getMetadata().getName().equals("default-deny"))
                .findFirst().orElseThrow(() -> new AssertionError("deploy/kubernetes/base/network-policies.yaml needs default-deny"));
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();
        for (final AppCatalog app : AppCatalog.APPS) {
            assertThat(selects(deny, podLabels(app))).as("default-deny selects " + app.name()).isTrue();
            assertThat(policies().stream().anyMatch(p -> p.getMetadata().getName().equals(app.name()) && selects(p, podLabels(app))))
                    .as(app.manifest() + ": needs a NetworkPolicy named " + app.name() + " selecting its pods").isTrue();
        }
    }

    @Test
    void onlyPublicServicesAreReachableFromOutsideAndOnlyOnTheirPublicPorts() {
        for (final AppCatalog app : AppCatalog.APPS) {
            final var container = Deployed.container(docs, app);
            for (final NetworkPolicy policy : policies()) {
                if (!selects(policy, podLabels(app))) {
                    continue;
                }
                for (final NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                    if (!external(rule.getFrom())) {
                        continue;
                    }
                    final String where = "NetworkPolicy " + policy.getMetadata().getName() + " lets the outside reach "
                            + app.name();
                    assertThat(app.publicPorts()).as(where + ": only ingest-smtp and web may be public").isNotEmpty();
                    assertThat(rule.getPorts()).as(where + " on all ports").isNotEmpty();
                    for (final NetworkPolicyPort port : rule.getPorts()) {
                        final String name = port.getPort().getStrVal() != null ? port.getPort().getStrVal()
                                : container.getPorts().stream()
                                        .filter(p -> p.getContainerPort().equals(port.getPort().getIntVal()))
                                        .map(p -> p.getName()).findFirst().orElse(String.valueOf(port.getPort().getIntVal()));
                        assertThat(app.publicPorts()).as(where + " on port " + name).contains(name);
                    }
                }
            }
        }
        for (final Manifests.Doc doc : Manifests.ofKind(docs, "Service")) {
            final Service service = doc.as(Service.class);
            if ("LoadBalancer".equals(service.getSpec().getType()) || "NodePort".equals(service.getSpec().getType())) {
                assertThat(AppCatalog.APPS).as(doc.where() + " is exposed: it must select a public service")
                        .anySatisfy(app -> {
                            assertThat(app.publicPorts()).isNotEmpty();
                            assertThat(podLabels(app)).containsAllEntriesOf(service.getSpec().getSelector());
                        });
            }
        }
    }

    @Test
    void onlyTheDelivererMayOpenPort25() {
        for (final AppCatalog app : AppCatalog.APPS) {
            boolean allowed = false;
            for (final NetworkPolicy policy : policies()) {
                if (!selects(policy, podLabels(app))) {
                    continue;
                }
                for (final NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
                    final boolean port25 = rule.getPorts().isEmpty() || rule.getPorts().stream().anyMatch(p -> p.getPort() == null
                            || covers(p, 25));
                    if (port25) {
                        assertThat(app.smtpEgress()).as("NetworkPolicy " + policy.getMetadata().getName() + " lets "
                                + app.name() + " open port 25 (or every port); only mx-deliverer may").isTrue();
                        allowed = true;
                    }
                }
            }
            assertThat(allowed).as(app.name() + " port 25 egress").isEqualTo(app.smtpEgress());
        }
    }

    private static boolean covers(final NetworkPolicyPort port, final int number) {
        final IntOrString p = port.getPort();
        if (p.getIntVal() == null) {
            return "smtp".equals(p.getStrVal());
        }
        final int end = port.getEndPort() == null ? p.getIntVal() : port.getEndPort();
        return p.getIntVal() <= number && number <= end;
    }

    /** A peer list that admits traffic from outside the cluster: everything, an ipBlock, or any namespace. */
    private static boolean external(final List<NetworkPolicyPeer> from) {
        return from.isEmpty() || from.stream().anyMatch(peer -> peer.getIpBlock() != null
                || peer.getNamespaceSelector() != null && empty(peer.getNamespaceSelector().getMatchLabels())
                        && empty(peer.getNamespaceSelector().getMatchExpressions()));
    }

    private static boolean empty(final Object labelsOrExpressions) {
        return labelsOrExpressions == null || labelsOrExpressions instanceof Map<?, ?> m && m.isEmpty()
                || labelsOrExpressions instanceof List<?> l && l.isEmpty();
    }
}
