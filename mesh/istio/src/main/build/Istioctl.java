import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs istioctl with an environment's rendered install configuration (mesh/istio's pom: exec:exec@istio-install,
 * istio-verify, istio-uninstall). {@code java Istioctl.java <action> <env> <install file> <deploy manifest> <dry-run>}.
 *
 * <p>Refuses without an explicit environment (-P &lt;env&gt;: the deploy manifest path says so, as for k8s:apply) and
 * before that environment was built. With dry-run it prints the exact command and runs nothing; without, it needs
 * istioctl on the PATH and says so clearly when it is missing. Exits with istioctl's exit code.
 */
public final class Istioctl {

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            fail("usage: java Istioctl.java <install|verify-install|uninstall> <env> <install file> <deploy manifest> <dry-run>");
        }
        String action = args[0];
        String env = args[1];
        Path file = Path.of(args[2]).toAbsolutePath().normalize();
        boolean dryRun = Boolean.parseBoolean(args[4]);
        if (args[3].contains("NO-ENVIRONMENT-SELECTED")) {
            fail("NO ENVIRONMENT SELECTED: run istioctl goals with one of -P local, -P dev, -P test, -P prod"
                    + " (e.g. ./mvnw -pl mesh/istio exec:exec@istio-install -P dev)");
        }
        List<String> command = new ArrayList<>(List.of("istioctl"));
        switch (action) {
            case "install" -> command.addAll(List.of("install", "-y", "-f", file.toString()));
            case "verify-install" -> command.addAll(List.of("verify-install", "-f", file.toString()));
            case "uninstall" -> command.addAll(List.of("uninstall", "-y", "-f", file.toString()));
            default -> fail("unknown action " + action + ": install, verify-install or uninstall");
        }
        if (!Files.isRegularFile(file)) {
            fail("NOT BUILT: " + file + " does not exist: build first with ./mvnw package -P " + env);
        }
        if (dryRun) {
            System.out.println("[istio] dry run, would run: " + String.join(" ", command));
            return;
        }
        if (onPath("istioctl") == null) {
            fail("istioctl is not on the PATH: install the istioctl of the pinned Istio version (the tag in " + file
                    + "), or add -Distio.dry-run=true to print the command only");
        }
        System.out.println("[istio] running: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).inheritIO().start();
        System.exit(process.waitFor());
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        return null;
    }

    private static void fail(String message) {
        System.err.println("[istio] " + message);
        System.exit(1);
    }
}
