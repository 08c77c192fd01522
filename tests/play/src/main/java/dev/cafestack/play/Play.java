package dev.cafestack.play;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The developer command (see tests/play/README.md): {@code up} loads the images, plays the local manifests on podman,
 * waits until every service is ready and prints what to call; {@code down} removes it all again.
 *
 * <p>Arguments: {@code up|down <repository root> <module,module,...>}.
 */
public final class Play {

    private Play() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 || !List.of("up", "down").contains(args[0])) {
            throw new IllegalArgumentException("usage: Play up|down <repository root> <module,module,...>");
        }
        LocalPlay play = new LocalPlay(Path.of(args[1]), Arrays.asList(args[2].split(",")), System.out);
        List<Path> manifests = play.manifests();
        if (args[0].equals("down")) {
            down(play, manifests);
        } else {
            up(play, manifests);
        }
    }

    private static void up(LocalPlay play, List<Path> manifests) throws InterruptedException {
        for (String problem : new String[] {play.podmanProblem(), play.buildProblem()}) {
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        }
        String ports = play.portProblem(manifests);
        if (ports != null) {
            throw new IllegalStateException(ports);
        }
        long started = System.nanoTime();
        play.load();
        play.apply(manifests);
        play.awaitReady(manifests, Duration.ofMinutes(2));
        System.out.printf("%n[play] cafe-stack (local) runs on podman, ready %.1f s after the load started:%n%s"
                        + "%n  order:  curl -s -X POST localhost:8080/api/orders -H 'content-type: application/json' "
                        + "-d '{\"drink\":\"latte\",\"size\":\"medium\"}'"
                        + "%n  logs:   podman pod ps; podman logs -f %s"
                        + "%n  down:   ./mvnw -P play-down -pl tests/play package%n%n",
                (System.nanoTime() - started) / 1e9, play.urls(manifests), lastContainer(manifests));
    }

    private static String lastContainer(List<Path> manifests) {
        List<LocalPlay.Workload> workloads = LocalPlay.workloads(manifests);
        LocalPlay.Workload last = workloads.get(workloads.size() - 1);
        return LocalPlay.container(last.name(), last.podSpec().at("/containers/0/name").asText());
    }

    private static void down(LocalPlay play, List<Path> manifests) {
        for (Path manifest : manifests) {
            if (!manifest.toFile().isFile()) {
                throw new IllegalStateException(manifest + " is missing: down reads the manifests that were played; "
                        + "render them again (./mvnw -P play package) or remove the pods by hand (podman pod ps)");
            }
        }
        List<String> left = play.down(manifests);
        if (!left.isEmpty()) {
            throw new IllegalStateException("still there after down: " + String.join(", ", left));
        }
        System.out.println("[play] cafe-stack (local) is down: no pod, container or volume of it is left");
    }
}
