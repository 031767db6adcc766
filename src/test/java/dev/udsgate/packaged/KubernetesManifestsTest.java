package dev.udsgate.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docker/kubernetes/ read as Kubernetes' own API types (fabric8's model of the API's schemas): a
 * wrong type fails to bind, an unknown field is caught where the model keeps what it does not know,
 * and the config in the ConfigMap is one udsgate accepts.
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("docker/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of(
            "Namespace", Namespace.class,
            "ConfigMap", ConfigMap.class,
            "DaemonSet", DaemonSet.class,
            "Pod", Pod.class);

    @Test
    void everyManifestIsAKubernetesObjectWithNoUnknownField() throws Exception {
        List<Path> files;
        try (Stream<Path> listed = Files.list(MANIFESTS)) {
            files = listed.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            JsonNode tree = YAML.readTree(file.toFile());
            String kind = tree.path("kind").asText();
            assertThat(KINDS).as(file + ": kind").containsKey(kind);
            KubernetesResource resource = YAML.treeToValue(tree, KINDS.get(kind));
            assertThat(unknownFields(resource, kind))
                    .as(file + ": fields Kubernetes does not know")
                    .isEmpty();
        }
    }

    @Test
    void anUnknownFieldOrAWrongTypeIsCaught() throws Exception {
        JsonNode daemonSet = YAML.readTree(MANIFESTS.resolve("daemonset.yaml").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) daemonSet.at("/spec/template/spec")).put("hostPid", true);
        assertThat(unknownFields(YAML.treeToValue(daemonSet, DaemonSet.class), "DaemonSet"))
                .containsExactly("DaemonSet.spec.template.spec.hostPid");

        JsonNode wrongType = YAML.readTree(MANIFESTS.resolve("daemonset.yaml").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) wrongType.at("/spec/template/spec")).put("hostPID", "yes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> YAML.treeToValue(wrongType, DaemonSet.class))
                .hasMessageContaining("hostPID");
    }

    @Test
    void theConfigMapHoldsAConfigUdsgateAccepts() throws Exception {
        ConfigMap map = YAML.readValue(MANIFESTS.resolve("configmap.yaml").toFile(), ConfigMap.class);
        Path config = Files.createTempFile("udsgate", ".yaml");
        try {
            Files.writeString(config, map.getData().get("udsgate.yaml"));
            assertThat(dev.udsgate.config.ConfigFileLoader.load(config).routes())
                    .isNotEmpty();
        } finally {
            Files.delete(config);
        }
    }

    /**
     * A ConfigMap edit reaches a running udsgate only if it watches the file and the file is in a
     * mounted folder: the kubelet swaps a folder's {@code ..data} symlink, and never updates a
     * {@code subPath} mount.
     */
    @Test
    void theDaemonSetWatchesItsConfigFileInAMountedConfigMapFolder() throws Exception {
        DaemonSet daemonSet = YAML.readValue(MANIFESTS.resolve("daemonset.yaml").toFile(), DaemonSet.class);
        var pod = daemonSet.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getArgs()).contains("--watch-config", "--config=/etc/udsgate/udsgate.yaml");

        var mount = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/etc/udsgate"))
                .findFirst()
                .orElseThrow();
        assertThat(mount.getSubPath()).as("a subPath mount never changes").isNull();
        var volume = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName()))
                .findFirst()
                .orElseThrow();
        ConfigMap map = YAML.readValue(MANIFESTS.resolve("configmap.yaml").toFile(), ConfigMap.class);
        assertThat(volume.getConfigMap().getName()).isEqualTo(map.getMetadata().getName());
        assertThat(map.getData()).containsKey("udsgate.yaml");
    }

    /** The key paths of every field the model kept aside as unknown, anywhere in the object. */
    private static List<String> unknownFields(Object object, String at) throws Exception {
        List<String> unknown = new ArrayList<>();
        walk(object, at, unknown, new IdentityHashMap<>());
        return unknown;
    }

    private static void walk(Object value, String at, List<String> unknown, Map<Object, Boolean> seen)
            throws Exception {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, at + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            for (Map.Entry<?, ?> entry : entries.entrySet()) {
                walk(entry.getValue(), at + "." + entry.getKey(), unknown, seen);
            }
            return;
        }
        if (!(value instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getName().equals("getClass")) {
                continue;
            }
            Object field = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) field).keySet().forEach(key -> unknown.add(at + "." + key));
            } else {
                walk(field, at + "." + decapitalize(getter.getName().substring(3)), unknown, seen);
            }
        }
    }

    private static String decapitalize(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
