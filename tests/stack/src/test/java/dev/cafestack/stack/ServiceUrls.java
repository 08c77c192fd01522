package dev.cafestack.stack;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

/**
 * Resolves an in-cluster URL (as a panel's or a scraper's configuration writes it) to the Service it reaches, the way
 * cluster DNS would: {@code name}, {@code name.namespace}, {@code name.namespace.svc} or
 * {@code name.namespace.svc.cluster.local}, and the URL's port (or its scheme's: http 80, https 443) among the
 * Service's ports.
 */
final class ServiceUrls {

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443);

    /** Where a URL points: a Service name, its namespace, and a port. */
    record Target(String name, String namespace, int port) {
        @Override
        public String toString() {
            return "Service " + namespace + "/" + name + " port " + port;
        }
    }

    private ServiceUrls() {
    }

    /** The Service a URL names; {@code from} is the namespace of the caller (what a bare name resolves in). */
    static Target target(String url, String from) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new AssertionError(url + " is not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new AssertionError(url + " has no scheme://host");
        }
        String[] labels = uri.getHost().split("\\.");
        String suffix = String.join(".", List.of(labels).subList(Math.min(2, labels.length), labels.length));
        if (!(suffix.isEmpty() || suffix.equals("svc") || suffix.equals("svc.cluster.local"))) {
            throw new AssertionError(url + ": host " + uri.getHost() + " is not a cluster Service name"
                    + " (<service>[.<namespace>[.svc[.cluster.local]]])");
        }
        int port = uri.getPort();
        if (port < 0) {
            Integer byScheme = DEFAULT_PORTS.get(uri.getScheme());
            if (byScheme == null) {
                throw new AssertionError(url + ": no port, and scheme " + uri.getScheme() + " has no default port");
            }
            port = byScheme;
        }
        return new Target(labels[0], labels.length > 1 ? labels[1] : from, port);
    }

    /** The Service (and port) among {@code services} that a URL reaches; fails naming the URL and what exists. */
    static ServicePort resolve(String url, String from, List<Service> services) {
        Target target = target(url, from);
        Service service = services.stream()
                .filter(s -> s.getMetadata().getName().equals(target.name()) && target.namespace().equals(s.getMetadata().getNamespace()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(url + " -> " + target + ": no such Service is rendered (rendered: "
                        + services.stream().map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                                .sorted().collect(Collectors.joining(", ")) + ")"));
        return service.getSpec().getPorts().stream().filter(p -> p.getPort() == target.port()).findFirst()
                .orElseThrow(() -> new AssertionError(url + " -> " + target + ": the Service has no such port (ports: "
                        + service.getSpec().getPorts().stream().map(p -> p.getName() + "=" + p.getPort())
                                .collect(Collectors.joining(", ")) + ")"));
    }
}
