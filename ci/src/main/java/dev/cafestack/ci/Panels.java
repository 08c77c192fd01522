package dev.cafestack.ci;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * The panels command: for one environment, finds every Service of the rendered manifests that says it fronts a UI
 * (annotation {@value #PANEL}, see docs/manifests.md "Panels"), checks which of them the cluster has (with a running
 * pod), opens a port-forward to each on 127.0.0.1, prints name, local URL and how to log in, and notes what is not
 * there. Ctrl-C closes every forward. {@code --dry-run=true} prints the same table and opens nothing. A local address
 * other than loopback is refused unless {@code --allow-non-loopback=true}: a forward on 0.0.0.0 hands the panel, with
 * the caller's cluster credentials behind it, to the whole network.
 *
 * <pre>./mvnw -pl ci exec:java@panels -P &lt;env&gt; [-Dpanels.dry-run=true]</pre>
 */
public final class Panels {

    static final String PANEL = "cafe-stack.dev/panel";
    static final String PORT = "cafe-stack.dev/panel-port";
    static final String PATH = "cafe-stack.dev/panel-path";
    static final String LOGIN = "cafe-stack.dev/panel-login";

    private Panels() {
    }

    /** A panel as the rendered manifests declare it. */
    record Panel(String name, String namespace, String service, String port, String path, String login) {

        String where() {
            return namespace + "/" + service + ":" + port;
        }
    }

    /** A panel found in the cluster: the pod and container port to forward to. */
    record Target(Panel panel, String pod, int containerPort) {
    }

    /** The panels the rendered manifests of {@code env} declare, by display name. */
    static List<Panel> declared(Path root, String env) {
        return RenderedManifests.ofKind(RenderedManifests.resources(root, env), Service.class).stream()
                .filter(s -> s.getMetadata().getAnnotations() != null && s.getMetadata().getAnnotations().containsKey(PANEL))
                .map(s -> {
                    Map<String, String> a = s.getMetadata().getAnnotations();
                    String path = a.getOrDefault(PATH, "/");
                    return new Panel(a.get(PANEL), Objects.requireNonNullElse(s.getMetadata().getNamespace(), "default"),
                            s.getMetadata().getName(), a.getOrDefault(PORT, firstPortName(s)),
                            path.startsWith("/") ? path : "/" + path, a.getOrDefault(LOGIN, "no login"));
                })
                .sorted(Comparator.comparing(Panel::name))
                .toList();
    }

    /**
     * Where {@code panel} can be forwarded to in the cluster, or why not: the Service, a running pod it selects, and
     * the container port behind the Service port.
     */
    static Object locate(KubernetesClient client, Panel panel) {
        Service live = client.services().inNamespace(panel.namespace()).withName(panel.service()).get();
        if (live == null) {
            return "not deployed (no Service " + panel.namespace() + "/" + panel.service() + ")";
        }
        ServicePort port = live.getSpec().getPorts().stream()
                .filter(p -> panel.port().equals(p.getName()) || panel.port().equals(String.valueOf(p.getPort())))
                .findFirst().orElse(null);
        if (port == null) {
            return "Service " + panel.service() + " has no port '" + panel.port() + "'";
        }
        Map<String, String> selector = live.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return "Service " + panel.service() + " selects no pods";
        }
        Pod pod = client.pods().inNamespace(panel.namespace()).withLabels(selector).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                .findFirst().orElse(null);
        if (pod == null) {
            return "no running pod behind Service " + panel.service();
        }
        Integer containerPort = containerPort(port, pod);
        if (containerPort == null) {
            return "pod " + pod.getMetadata().getName() + " has no port '" + port.getTargetPort().getStrVal() + "'";
        }
        return new Target(panel, pod.getMetadata().getName(), containerPort);
    }

    static Integer containerPort(ServicePort port, Pod pod) {
        IntOrString target = port.getTargetPort();
        if (target == null) {
            return port.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> target.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst().orElse(null);
    }

    /**
     * Runs the command. Returns the open forwards (empty in a dry run); the caller closes them. A refusal or nothing to
     * show throws {@link IllegalArgumentException} / {@link IllegalStateException} before the cluster is touched.
     */
    static List<LocalPortForward> run(KubernetesClient client, Path root, String env, String address,
            boolean allowNonLoopback, boolean dryRun, PrintStream out) throws IOException {
        InetAddress local = bindAddress(address, allowNonLoopback);
        List<Panel> panels = declared(root, env);
        if (panels.isEmpty()) {
            throw new IllegalStateException("no panel Services (annotation " + PANEL + ") in the rendered " + env
                    + " manifests under " + root + ": build first (./mvnw package -P " + env + ")");
        }
        List<String[]> rows = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<LocalPortForward> forwards = new ArrayList<>();
        String host = local.getHostAddress().contains(":") ? "[" + local.getHostAddress() + "]" : local.getHostAddress();
        try {
            for (Panel panel : panels) {
                Object found = locate(client, panel);
                if (found instanceof Target target) {
                    String url;
                    if (dryRun) {
                        url = "http://" + host + ":<free port>" + panel.path();
                    } else {
                        LocalPortForward forward = client.pods().inNamespace(panel.namespace()).withName(target.pod())
                                .portForward(target.containerPort(), local, 0);
                        forwards.add(forward);
                        url = "http://" + host + ":" + forward.getLocalPort() + panel.path();
                    }
                    rows.add(new String[] {panel.name(), url, panel.where(), panel.login()});
                } else {
                    missing.add(panel.name() + " (" + panel.where() + "): " + found);
                }
            }
        } catch (RuntimeException e) {
            closeAll(forwards);
            throw e;
        }
        out.println((dryRun ? "Panels of " + env + " (dry run: would forward, nothing opened):"
                : "Panels of " + env + " (port-forwards open; Ctrl-C closes them):"));
        printTable(out, rows);
        if (!missing.isEmpty()) {
            out.println("Not available:");
            missing.forEach(m -> out.println("  - " + m));
        }
        return forwards;
    }

    static InetAddress bindAddress(String address, boolean allowNonLoopback) throws UnknownHostException {
        InetAddress local = InetAddress.getByName(address);
        if (!local.isLoopbackAddress() && !allowNonLoopback) {
            throw new IllegalArgumentException("refusing to bind the panels to " + address
                    + ": that would open them (with your cluster credentials behind them) to the network. Use "
                    + "127.0.0.1, or say -Dpanels.allow-non-loopback=true if you really mean it.");
        }
        return local;
    }

    private static void printTable(PrintStream out, List<String[]> rows) {
        String[] head = {"PANEL", "LOCAL URL", "SERVICE", "LOGIN"};
        int[] width = new int[3];
        for (int i = 0; i < 3; i++) {
            width[i] = head[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        String format = "  %-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s%n";
        out.printf(format, (Object[]) head);
        rows.forEach(row -> out.printf(format, (Object[]) row));
        if (rows.isEmpty()) {
            out.println("  (none of the panels is deployed)");
        }
    }

    static void closeAll(List<LocalPortForward> forwards) {
        for (LocalPortForward forward : forwards) {
            try {
                forward.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
        }
    }

    private static String firstPortName(Service service) {
        List<ServicePort> ports = service.getSpec() == null ? List.of() : service.getSpec().getPorts();
        return ports.isEmpty() ? "" : Objects.requireNonNullElse(ports.get(0).getName(), String.valueOf(ports.get(0).getPort()));
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse("Panels <root> <env> [--dry-run=false] [--address=127.0.0.1] [--allow-non-loopback=false]",
                args);
        Main.exit(cli, () -> {
            KubernetesClient client = new KubernetesClientBuilder().build();
            List<LocalPortForward> forwards = run(client, cli.root(), cli.env(), cli.option("address", "127.0.0.1"),
                    cli.flag("allow-non-loopback"), cli.flag("dry-run"), System.out);
            if (forwards.isEmpty()) {
                client.close();
                return 0;
            }
            CountDownLatch closed = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeAll(forwards);
                client.close();
                System.out.println("Panels closed.");
                closed.countDown();
            }, "panels-close"));
            closed.await();
            return 0;
        });
    }
}
