package dev.morphserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifests in {@code docker/k8s}, parsed once into fabric8's typed Kubernetes model (CRDs such
 * as the InferencePool as generic resources), and the lookups the manifest tests share:
 * {@link KubernetesManifestsTest} (every file), {@link ServerPodManifestTest} (the server pods) and
 * {@link ScaleOutManifestTest} (autoscaler, InferencePool, picker, gateway). Nothing here talks to
 * a cluster.
 */
final class K8sManifests {
    static final Path K8S = Path.of("docker/k8s");
    static final Path METRICS_SOURCES = Path.of("src/main/java/dev/morphserve/metrics");
    static final String SERVER = "morphserve";
    static final String POOL_GROUP = "inference.networking.k8s.io";
    /** The GIE release the InferencePool, the picker's image and its configuration follow. */
    static final String GIE_VERSION = "v1.5.0";
    /** Gauges the endpoint picker and the autoscaler read; the source scan must find each of them. */
    static final Set<String> ROUTING_GAUGES = Set.of(
            "morphserve_num_requests_waiting", "morphserve_num_requests_running", "morphserve_kv_cache_usage_perc");
    /** After the grace period: failing the leftovers (up to 5 s) and flushing them (0.5 s), see ShutdownDrain. */
    static final Duration DRAIN_TAIL = Duration.ofMillis(5_500);
    /** Time for the JVM and Quarkus to stop once the drain is over. */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);
    /** The picker's metric-name flags: GIE v1.4 deprecated them and v1.5 refuses to start with them. */
    static final List<String> REFUSED_EPP_FLAGS = List.of("--total-queued-requests-metric",
            "--total-running-requests-metric", "--kv-cache-usage-percentage-metric", "--lora-info-metric", "--cache-info-metric");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Null until {@link #manifests()} first succeeds. */
    private static Map<String, List<HasMetadata>> manifests;

    private K8sManifests() {
    }

    /**
     * Objects of each manifest file, by file name (kustomization.yaml aside), parsed on first use and
     * kept for the test run. A failure is not kept: each caller sees it, naming the file.
     */
    static synchronized Map<String, List<HasMetadata>> manifests() {
        if (manifests == null) {
            Map<String, List<HasMetadata>> parsed = new TreeMap<>();
            try {
                for (Path file : manifestFiles()) {
                    parsed.put(file.getFileName().toString(), parse(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + K8S, e);
            }
            manifests = Collections.unmodifiableMap(parsed);
        }
        return manifests;
    }

    static List<HasMetadata> parse(Path file) throws IOException {
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(Files.readString(file));
        } catch (RuntimeException e) {
            throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
        }
        List<HasMetadata> objects = new ArrayList<>();
        switch (parsed) {
            case KubernetesList list -> objects.addAll(list.getItems());
            case List<?> list -> list.forEach(o -> objects.add((HasMetadata) o));
            case HasMetadata one -> objects.add(one);
            case null -> { }
            default -> fail("%s: not a Kubernetes object but %s", file, parsed.getClass().getName());
        }
        return objects;
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        }
    }

    // ---------------------------------------------------------------- lookups

    static Stream<HasMetadata> all() {
        return manifests().values().stream().flatMap(Collection::stream);
    }

    static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all().filter(type::isInstance).map(type::cast).filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertThat(found).as("%s %s in %s", type.getSimpleName(), name, K8S).hasSize(1);
        return found.getFirst();
    }

    static Deployment server() {
        return one(Deployment.class, SERVER);
    }

    static Container serverContainer() {
        List<Container> containers = server().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    static int serverPort() {
        List<ContainerPort> ports = serverContainer().getPorts();
        assertThat(ports).as("server container ports").hasSize(1);
        return ports.getFirst().getContainerPort();
    }

    static GenericKubernetesResource pool() {
        List<GenericKubernetesResource> pools = all().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(o -> o.getKind().equals("InferencePool")).toList();
        assertThat(pools).as("InferencePools").hasSize(1);
        assertThat(pools.getFirst().getApiVersion()).isEqualTo(POOL_GROUP + "/v1");
        return pools.getFirst();
    }

    static void assertSelects(Map<String, String> selector, Map<String, String> podLabels, String what) {
        assertThat(selector).as(what).isNotEmpty();
        assertThat(podLabels).as("pod labels %s must select", what).containsAllEntriesOf(selector);
    }

    /** A port given by number or by the container's port name, as a number. */
    static int resolvePort(Container container, IntOrString port) {
        assertThat(port).as("port").isNotNull();
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
    }

    static String httpProbe(Container container, Probe probe, String what) {
        assertThat(probe).as("%s probe", what).isNotNull();
        assertThat(probe.getHttpGet()).as("%s probe is an HTTP GET", what).isNotNull();
        assertThat(resolvePort(container, probe.getHttpGet().getPort())).as("%s probe port", what).isEqualTo(serverPort());
        return probe.getHttpGet().getPath();
    }

    static String argValue(List<String> args, String flag) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(flag) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(flag + "=")) {
                return args.get(i).substring(flag.length() + 1);
            }
        }
        throw new AssertionError("no " + flag + " in " + args);
    }

    static java.util.Optional<String> env(Container container, String name) {
        return container.getEnv() == null ? java.util.Optional.empty()
                : container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                        .map(e -> e.getValue() != null ? e.getValue() : "(from " + e.getValueFrom() + ")");
    }

    static long execSleepSeconds(List<String> command) {
        assertThat(command).as("preStop exec").hasSize(2).first().isEqualTo("sleep");
        return Long.parseLong(command.get(1));
    }

    /** A duration as Quarkus reads it (30s, 500ms, 2m, or ISO-8601 PT30S); also Gateway API's 600s. */
    static Duration quarkusDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        if (text.strip().matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text.strip()));
        }
        return Duration.parse(text.strip());
    }

    static Map<String, Object> yaml(String text) {
        return map(YAML.readValue(text, Map.class));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        assertThat(o).as("a YAML list").isInstanceOf(List.class);
        return (List<Map<String, Object>>) o;
    }

    /** The endpoint picker's configuration, read from the ConfigMap its --config-file is mounted from. */
    static Map<String, Object> pickerConfig() throws IOException {
        Deployment epp = one(Deployment.class, (String) pool().get("spec", "endpointPickerRef", "name"));
        Container picker = epp.getSpec().getTemplate().getSpec().getContainers().getFirst();
        String file = argValue(picker.getArgs(), "--config-file");
        var mount = picker.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mount holds " + file));
        var volume = epp.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                .findFirst().orElseThrow();
        ConfigMap configMap = one(ConfigMap.class, volume.getConfigMap().getName());
        String key = file.substring(mount.getMountPath().length() + 1);
        assertThat(configMap.getData()).as("ConfigMap %s", configMap.getMetadata().getName()).containsKey(key);
        return yaml(configMap.getData().get(key));
    }

    static Map<String, Object> pluginOfType(Map<String, Map<String, Object>> plugins, String type) {
        return plugins.values().stream().filter(p -> type.equals(p.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin of type " + type));
    }

    static String nameOfType(Map<String, Map<String, Object>> plugins, String type) {
        return plugins.entrySet().stream().filter(e -> type.equals(e.getValue().get("type"))).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin of type " + type));
    }

    // ---------------------------------------------------------------- the server's metric names

    enum MetricKind { GAUGE, COUNTER, TIMER }

    /**
     * Metric names as Prometheus shows them, scanned from the literals in the metrics package: dots
     * become underscores, counters gain _total and timers _seconds (their _bucket/_count/_sum
     * series are not listed).
     */
    static Map<String, MetricKind> registeredMetrics() throws IOException {
        Pattern builder = Pattern.compile("\\b(Gauge|FunctionCounter|Counter|Timer)\\s*\\.builder\\(\\s*\"([^\"]+)\"");
        Pattern helper = Pattern.compile("\\b(timer|counter|count)\\(\\s*\"([^\"]+)\"");
        Map<String, MetricKind> names = new TreeMap<>();
        try (Stream<Path> files = Files.list(METRICS_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                for (Matcher m = builder.matcher(source); m.find(); ) {
                    MetricKind kind = switch (m.group(1)) {
                        case "Gauge" -> MetricKind.GAUGE;
                        case "Timer" -> MetricKind.TIMER;
                        default -> MetricKind.COUNTER;
                    };
                    names.put(prometheusName(m.group(2), kind), kind);
                }
                for (Matcher m = helper.matcher(source); m.find(); ) {
                    MetricKind kind = m.group(1).equals("timer") ? MetricKind.TIMER : MetricKind.COUNTER;
                    names.put(prometheusName(m.group(2), kind), kind);
                }
            }
        }
        return names;
    }

    private static String prometheusName(String name, MetricKind kind) {
        String base = name.replace('.', '_');
        return switch (kind) {
            case GAUGE -> base;
            case COUNTER -> base.endsWith("_total") ? base : base + "_total";
            case TIMER -> base + "_seconds";
        };
    }
}
