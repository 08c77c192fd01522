package dev.cafestack.ci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Resources for the tests, built with the fabric8 model, and a repository layout with rendered manifests. */
final class Fixtures {

    private Fixtures() {
    }

    /** Writes {@code resources} as {@code <root>/<module>/target/cafe/<env>/kubernetes.yml}, as the build does. */
    static void rendered(Path root, String module, String env, HasMetadata... resources) {
        try {
            Path file = root.resolve(module).resolve("target/cafe").resolve(env).resolve("kubernetes.yml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, Serialization.asYaml(new KubernetesListBuilder().withItems(resources).build()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Service panelService(String ns, String name, String panel, String portName, int port, String targetPort,
            String path, String login) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToAnnotations(Panels.PANEL, panel).addToAnnotations(Panels.PORT, portName)
                .addToAnnotations(Panels.LOGIN, login)
                .endMetadata()
                .withNewSpec().withType("ClusterIP").addToSelector("app", name)
                .addNewPort().withName(portName).withPort(port).withTargetPort(targetPort.matches("\\d+")
                        ? new IntOrString(Integer.parseInt(targetPort)) : new IntOrString(targetPort)).endPort()
                .endSpec();
        if (path != null) {
            b.editMetadata().addToAnnotations(Panels.PATH, path).endMetadata();
        }
        return b.build();
    }

    static Service plainService(String ns, String name, int port) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addToSelector("app", name).addNewPort().withName("http").withPort(port).endPort().endSpec()
                .build();
    }

    static Pod pod(String ns, String name, String app, String phase, String portName, int containerPort) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName(app).withImage("example/" + app + ":1")
                .addNewPort().withName(portName).withContainerPort(containerPort).endPort().endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus()
                .build();
    }

    static ConfigMap configMap(String ns, String name, String key, String content) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withData(Map.of(key, content)).build();
    }

    /** A Deployment mounting {@code configMap} at /config, with {@code hash} on its pod template, rolled out. */
    static Deployment deployment(String ns, String name, String image, String configMap, String hash) {
        return new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).addToAnnotations(ConfigDeploy.HASH, hash).endMetadata()
                .withNewSpec()
                .addNewContainer().withName(name).withImage(image)
                .addNewVolumeMount().withName("config").withMountPath("/config").endVolumeMount().endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(configMap).endConfigMap().endVolume()
                .endSpec().endTemplate().endSpec()
                .withNewStatus().withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).withReadyReplicas(2)
                .endStatus()
                .build();
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
