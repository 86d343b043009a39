package dev.morphserve.deploy;

import static dev.morphserve.deploy.K8sManifests.DRAIN_TAIL;
import static dev.morphserve.deploy.K8sManifests.EXIT_MARGIN;
import static dev.morphserve.deploy.K8sManifests.SERVER;
import static dev.morphserve.deploy.K8sManifests.argValue;
import static dev.morphserve.deploy.K8sManifests.assertSelects;
import static dev.morphserve.deploy.K8sManifests.env;
import static dev.morphserve.deploy.K8sManifests.execSleepSeconds;
import static dev.morphserve.deploy.K8sManifests.httpProbe;
import static dev.morphserve.deploy.K8sManifests.manifests;
import static dev.morphserve.deploy.K8sManifests.one;
import static dev.morphserve.deploy.K8sManifests.pool;
import static dev.morphserve.deploy.K8sManifests.resolvePort;
import static dev.morphserve.deploy.K8sManifests.server;
import static dev.morphserve.deploy.K8sManifests.serverContainer;
import static dev.morphserve.deploy.K8sManifests.serverPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server pods in {@code docker/k8s}: the probes hit the health endpoints on the container's
 * port and the server listens there on every interface, the Service and the InferencePool target
 * that port and select the pods, evictions take one pod at a time, each pod gets one GPU, the
 * kubelet waits for the whole drain (see ShutdownDrain), and the pods run as the image's user with
 * a writable /tmp. A mismatch here passes {@code kubectl apply} and fails only on a live cluster.
 */
class ServerPodManifestTest {
    @BeforeAll
    static void parseAll() {
        manifests();
    }

    @Test
    void probesHitTheHealthEndpointsOnTheContainerPort() {
        Container server = serverContainer();
        assertThat(httpProbe(server, server.getLivenessProbe(), "liveness")).isEqualTo("/q/health/live");
        assertThat(httpProbe(server, server.getReadinessProbe(), "readiness")).isEqualTo("/q/health/ready");
        assertThat(server.getStartupProbe()).as("startup probe: loading a model outlasts the liveness probe's patience").isNotNull();
        httpProbe(server, server.getStartupProbe(), "startup");
        Probe startup = server.getStartupProbe();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("seconds the startup probe waits for the model to load").isGreaterThanOrEqualTo(300);
    }

    @Test
    void theServerListensWhereTheContainerPortSays() {
        Container server = serverContainer();
        List<String> args = server.getArgs();
        assertThat(args).as("server args").startsWith("serve");
        assertThat(argValue(args, "--port")).isEqualTo(String.valueOf(serverPort()));
        assertThat(argValue(args, "--host")).as("the default host is loopback, unreachable from the pod network").isEqualTo("0.0.0.0");
    }

    @Test
    void serviceAndPoolTargetTheContainerPortAndSelectThePods() {
        Map<String, String> podLabels = server().getSpec().getTemplate().getMetadata().getLabels();
        assertSelects(server().getSpec().getSelector().getMatchLabels(), podLabels, "Deployment selector");

        Service service = one(Service.class, SERVER);
        assertSelects(service.getSpec().getSelector(), podLabels, "Service selector");
        assertThat(service.getSpec().getPorts()).isNotEmpty().allSatisfy(port ->
                assertThat(resolvePort(serverContainer(), port.getTargetPort())).as("Service targetPort").isEqualTo(serverPort()));

        GenericKubernetesResource pool = pool();
        Map<String, String> poolSelector = pool.get("spec", "selector", "matchLabels");
        assertSelects(poolSelector, podLabels, "InferencePool selector");
        List<Map<String, Object>> targetPorts = pool.get("spec", "targetPorts");
        assertThat(targetPorts).as("InferencePool targetPorts").isNotEmpty()
                .allSatisfy(p -> assertThat(p.get("number")).isEqualTo(serverPort()));
    }

    @Test
    void evictionsTakeOnePodAtATime() {
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, SERVER);
        assertSelects(pdb.getSpec().getSelector().getMatchLabels(), server().getSpec().getTemplate().getMetadata().getLabels(), "PodDisruptionBudget selector");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void eachPodGetsOneGpu() {
        Map<String, Quantity> limits = serverContainer().getResources().getLimits();
        assertThat(limits).as("limits").containsKey("nvidia.com/gpu");
        assertThat(limits.get("nvidia.com/gpu").getAmount()).isEqualTo("1");
        assertThat(argValue(serverContainer().getArgs(), "--backend")).as("no silent fall-back to the CPU").isEqualTo("CUDA");
    }

    @Test
    void theKubeletWaitsForTheWholeDrain() {
        PodSpec pod = server().getSpec().getTemplate().getSpec();
        Container server = serverContainer();
        var preStop = server.getLifecycle().getPreStop();
        long preStopSeconds = preStop.getSleep() != null ? preStop.getSleep().getSeconds() : execSleepSeconds(preStop.getExec().getCommand());
        assertThat(preStopSeconds).as("preStop sleep: endpoints go before the drain starts").isGreaterThanOrEqualTo(5);

        Duration grace = env(server, "MORPHSERVE_SHUTDOWN_GRACE").map(K8sManifests::quarkusDuration).orElse(Duration.ofSeconds(30));
        Duration needed = Duration.ofSeconds(preStopSeconds).plus(grace).plus(DRAIN_TAIL).plus(EXIT_MARGIN);
        assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
                .as("terminationGracePeriodSeconds vs preStop %d s + grace %s + drain tail + exit", preStopSeconds, grace)
                .isGreaterThanOrEqualTo(needed);

        Deployment epp = one(Deployment.class, SERVER + "-epp");
        assertThat(epp.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("the picker outlives the pods it routes to").isGreaterThanOrEqualTo(pod.getTerminationGracePeriodSeconds());
    }

    @Test
    void podsRunAsTheImageUserWithAWritableTmp() {
        PodSpec pod = server().getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        Container server = serverContainer();
        assertThat(server.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(server.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        String model = argValue(server.getArgs(), "--model");
        assertThat(server.getVolumeMounts()).as("a volume holds %s", model)
                .anySatisfy(m -> assertThat(model).startsWith(m.getMountPath() + "/"));
        Map<String, String> annotations = server().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/path", "/q/metrics")
                .containsEntry("prometheus.io/port", String.valueOf(serverPort()));
    }
}
