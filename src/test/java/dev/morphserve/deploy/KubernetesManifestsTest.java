package dev.morphserve.deploy;

import static dev.morphserve.deploy.K8sManifests.K8S;
import static dev.morphserve.deploy.K8sManifests.POOL_GROUP;
import static dev.morphserve.deploy.K8sManifests.all;
import static dev.morphserve.deploy.K8sManifests.manifests;
import static dev.morphserve.deploy.K8sManifests.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in {@code docker/k8s}, file by file: each parses into fabric8's typed Kubernetes
 * model (CRDs such as the InferencePool as generic resources) as named objects with no field their
 * type lacks, namespaces are left to {@code kubectl apply -k} but for the adapter's rules, and
 * {@code kustomization.yaml} lists exactly the files present. How the pieces fit together is
 * {@link ServerPodManifestTest}'s and {@link ScaleOutManifestTest}'s. Nothing here talks to a cluster.
 */
class KubernetesManifestsTest {
    @BeforeAll
    static void parseAll() {
        manifests();
    }

    @Test
    void everyManifestParsesIntoNamedObjects() {
        assertThat(manifests()).as("manifests in %s", K8S).isNotEmpty();
        manifests().forEach((file, objects) -> {
            assertThat(objects).as("%s holds no object", file).isNotEmpty();
            for (HasMetadata object : objects) {
                assertThat(object.getApiVersion()).as("%s: apiVersion of %s", file, object).isNotBlank();
                assertThat(object.getKind()).as("%s: kind of %s", file, object).isNotBlank();
                assertThat(object.getMetadata()).as("%s: metadata of a %s", file, object.getKind()).isNotNull();
                assertThat(object.getMetadata().getName()).as("%s: name of a %s", file, object.getKind()).isNotBlank();
            }
        });
    }

    /** A misspelt field (readinesProbe) parses fine but lands in additionalProperties: none may. */
    @Test
    void typedObjectsHaveNoUnknownFields() {
        manifests().forEach((file, objects) -> {
            for (HasMetadata object : objects) {
                if (object instanceof GenericKubernetesResource) {
                    continue;
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(object, object.getKind() + "/" + object.getMetadata().getName(), unknown);
                assertThat(unknown).as("%s: fields the %s model does not know", file, object.getKind()).isEmpty();
            }
        });
    }

    /**
     * Objects take the namespace of `kubectl apply -k`'s context; only the adapter's rules live in
     * the adapter's namespace (which is also why the kustomization must not set one).
     */
    @Test
    void onlyTheAdapterConfigNamesANamespace() {
        List<String> namespaced = all().filter(o -> o.getMetadata().getNamespace() != null)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName() + " in " + o.getMetadata().getNamespace()).toList();
        assertThat(namespaced).containsExactly("ConfigMap/adapter-config in monitoring");
    }

    @Test
    void onlyTheCustomResourcesAreGeneric() {
        Set<String> generic = new TreeSet<>();
        all().filter(GenericKubernetesResource.class::isInstance).forEach(o -> generic.add(o.getApiVersion() + " " + o.getKind()));
        assertThat(generic).containsExactly(POOL_GROUP + "/v1 InferencePool");
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Map<String, Object> kustomization = yaml(Files.readString(K8S.resolve("kustomization.yaml")));
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        assertThat(kustomization).as("a namespace there would move the adapter's ConfigMap out of its namespace")
                .doesNotContainKey("namespace");
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).as("kustomization.yaml resources").containsExactlyInAnyOrderElementsOf(manifests().keySet());
    }

    // ---------------------------------------------------------------- helpers

    /** Walks fabric8 model objects and collects the paths of fields their classes do not declare. */
    private static void unknownFields(Object o, String path, List<String> unknown) {
        switch (o) {
            case null -> { }
            case Map<?, ?> map -> map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown));
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    unknownFields(list.get(i), path + "[" + i + "]", unknown);
                }
            }
            default -> {
                if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model") || o instanceof IntOrString || o instanceof Quantity) {
                    return;
                }
                for (Method getter : o.getClass().getMethods()) {
                    if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                            || getter.getDeclaringClass() == Object.class) {
                        continue;
                    }
                    Object value;
                    try {
                        value = getter.invoke(o);
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(path + ": " + getter, e);
                    }
                    if (getter.getName().equals("getAdditionalProperties")) {
                        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            extra.keySet().forEach(k -> unknown.add(path + "." + k));
                        }
                    } else {
                        unknownFields(value, path + "." + decapitalize(getter.getName().substring(3)), unknown);
                    }
                }
            }
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
