package dev.cafestack.eks;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Maven goals of platform/eks ({@code exec:java@cluster-create} and the others): runs {@code eksctl} or
 * {@code aws} with the environment's rendered ClusterConfig, or, in dry-run mode, prints each command line instead.
 * A missing tool is one line with the install hint, not a stack trace.
 *
 * <pre>java dev.cafestack.eks.EksCommand &lt;goal&gt; &lt;env&gt; &lt;eks-out-dir&gt; &lt;dry-run&gt; &lt;nodes&gt; &lt;confirm&gt; &lt;module-src-main&gt;</pre>
 */
public final class EksCommand {

    static final String EKSCTL_HINT = "https://eksctl.io/installation/";
    static final String AWS_HINT = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html";

    /** A refused goal: the message is the whole story, printed as one line. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private EksCommand() {
    }

    /** The command lines a goal runs, in order. */
    static List<List<String>> commands(String goal, Path file, ClusterConfig config, String nodes, String confirm,
            boolean dryRun, Path sources) throws Refused, IOException {
        String f = file.toAbsolutePath().toString();
        String name = config.metadata().name();
        String region = config.metadata().region();
        switch (goal) {
            case "cluster-create":
                return List.of(List.of("eksctl", "create", "cluster", "--config-file", f));
            case "cluster-update":
                // Control plane one minor version up to metadata.version, add-ons to the file's settings, node
                // groups the file adds (existing ones are skipped by eksctl).
                return List.of(
                        List.of("eksctl", "upgrade", "cluster", "--config-file", f, "--approve"),
                        List.of("eksctl", "update", "addon", "--config-file", f),
                        List.of("eksctl", "create", "nodegroup", "--config-file", f));
            case "cluster-scale": {
                ClusterConfig.ManagedNodeGroup group = config.managedNodeGroups().get(0);
                int count;
                try {
                    count = Integer.parseInt(nodes.trim());
                } catch (NumberFormatException e) {
                    throw new Refused("cluster-scale needs the node count: -Dnodes=<n> (" + group.minSize() + ".."
                            + group.maxSize() + " for " + name + ")");
                }
                if (count < group.minSize() || count > group.maxSize()) {
                    throw new Refused("-Dnodes=" + count + " is outside " + group.minSize() + ".." + group.maxSize()
                            + " (eks.nodes.min..eks.nodes.max of the environment file); change those to go further");
                }
                return List.of(List.of("eksctl", "scale", "nodegroup", "--cluster", name, "--region", region,
                        "--name", group.name(), "--nodes", String.valueOf(count)));
            }
            case "cluster-delete":
                if (!dryRun && !name.equals(confirm)) {
                    throw new Refused("cluster-delete deletes " + name + " and everything on it: repeat its name to "
                            + "confirm (-Dconfirm=" + name + ")");
                }
                return List.of(List.of("eksctl", "delete", "cluster", "--config-file", f, "--wait"));
            case "kubeconfig":
                return List.of(List.of("aws", "eks", "update-kubeconfig", "--region", region, "--name", name,
                        "--alias", name));
            case "iam-create":
                // The two policy documents as customer-managed policies (an administrator runs this once per account).
                return List.of(
                        List.of("aws", "iam", "create-policy", "--policy-name", "cafe-eks-operator",
                                "--policy-document", "file://" + sources.resolve("iam/operator-policy.json").toAbsolutePath()),
                        List.of("aws", "iam", "create-policy", "--policy-name", "cafe-ci-agent",
                                "--policy-document", "file://" + sources.resolve("iam/ci-agent-policy.json").toAbsolutePath()));
            case "ecr-create":
                // One repository per service image, as declared in src/main/ecr/repositories.txt.
                return repositories(sources.resolve("ecr/repositories.txt")).stream()
                        .map(repository -> List.of("aws", "ecr", "create-repository", "--region", region,
                                "--repository-name", repository, "--image-scanning-configuration", "scanOnPush=true"))
                        .toList();
            default:
                throw new Refused("unknown goal '" + goal + "': one of cluster-create, cluster-update, cluster-scale, "
                        + "cluster-delete, kubeconfig, ecr-create, iam-create");
        }
    }

    /** The ECR repositories of the service images: one a line, '#' starts a comment. */
    public static List<String> repositories(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> !line.isEmpty())
                .toList();
    }

    /** Finds an executable on the given PATH. */
    static Path onPath(String tool, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Runs a goal: prints each command line (dry run: instead of running it) to {@code out}; returns null on
     * success, else the one-line reason it stopped.
     */
    static String run(String[] args, Map<String, String> environment, PrintStream out) {
        if (args.length != 7) {
            return "usage: EksCommand <goal> <env> <eks-out-dir> <dry-run> <nodes> <confirm> <module-src-main>";
        }
        String goal = args[0];
        String env = args[1];
        Path file = Path.of(args[2], env, "cluster.yaml");
        boolean dryRun = Boolean.parseBoolean(args[3].trim());
        try {
            if (!Files.isRegularFile(file)) {
                throw new Refused("environment " + env + " has no rendered ClusterConfig (" + file + "): "
                        + "environments/" + env + ".properties sets no eks.cluster.name (no EKS cluster), or the "
                        + "module was not built: run ./mvnw -pl platform/eks -P <dev|test|prod> package exec:java@"
                        + goal);
            }
            ClusterConfig config = ClusterConfigCheck.read(file);
            for (List<String> command : commands(goal, file, config, args[4], args[5], dryRun, Path.of(args[6]))) {
                if (dryRun) {
                    out.println("[eks] " + env + " dry run: " + String.join(" ", command));
                    continue;
                }
                String tool = command.get(0);
                if (onPath(tool, environment.get("PATH")) == null) {
                    throw new Refused(tool + " is not installed (not on the PATH): install it, see "
                            + ("eksctl".equals(tool) ? EKSCTL_HINT : AWS_HINT)
                            + " (or add -Dcafe.eks.dry-run=true to print the commands)");
                }
                out.println("[eks] " + env + ": " + String.join(" ", command));
                out.flush();
                int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
                if (exit != 0) {
                    return tool + " exited with " + exit + ": " + String.join(" ", command);
                }
            }
            return null;
        } catch (Refused e) {
            return e.getMessage();
        } catch (IOException e) {
            return file + ": " + ClusterConfigCheck.oneLine(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Under exec:java: a failure becomes one Maven error line; the tools inherit the terminal. */
    public static void main(String[] args) {
        String failure = run(args, System.getenv(), System.out);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
