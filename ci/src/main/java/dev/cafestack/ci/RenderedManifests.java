package dev.cafestack.ci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What the build rendered for one environment: every module's {@code target/cafe/<env>/kubernetes.yml} under the
 * repository root (the same files {@code k8s:apply -P <env>} applies), read into the fabric8 model.
 */
final class RenderedManifests {

    private static final Set<String> NOT_MODULES = Set.of(".git", ".mvn", "src", "node_modules", "environments", "docs");

    private RenderedManifests() {
    }

    /** The rendered manifest files of {@code env}, in path order. */
    static List<Path> files(Path root, String env) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (!dir.equals(root) && NOT_MODULES.contains(name)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (name.equals("target")) {
                        Path manifest = dir.resolve("cafe").resolve(env).resolve("kubernetes.yml");
                        if (Files.isRegularFile(manifest)) {
                            files.add(manifest);
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }

    /** Every resource of {@code env}'s rendered manifests. */
    static List<HasMetadata> resources(Path root, String env) {
        List<HasMetadata> resources = new ArrayList<>();
        for (Path file : files(root, env)) {
            try (InputStream in = Files.newInputStream(file)) {
                Object parsed = Serialization.unmarshal(in);
                if (parsed instanceof KubernetesList list) {
                    resources.addAll(list.getItems());
                } else if (parsed instanceof HasMetadata one) {
                    resources.add(one);
                } else if (parsed instanceof List<?> many) {
                    many.stream().filter(HasMetadata.class::isInstance).map(HasMetadata.class::cast).forEach(resources::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return resources;
    }

    static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> resources, Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
