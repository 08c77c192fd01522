package dev.cafestack.tests.goals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * A stand-in for a real kube-apiserver: fabric8's {@link KubernetesMockServer} in CRUD mode, plain HTTP on 127.0.0.1
 * and a free port. It stores what is POSTed, PUT or PATCHed and serves it back (also {@code GET /version} and the
 * discovery roots), so the real deploy command can be pointed at it and the result read back with a real client.
 * It is not a cluster: no admission, no defaulting, no controllers (a Deployment never gets pods, deleting a Namespace
 * does not delete what is in it), and custom resources need their CRDs first ({@link #defineCustomResources}), as on
 * a real cluster, where the Istio install brings them.
 */
public final class ApiServerStandIn implements AutoCloseable {

    /** Held, so that its level stays set (the log manager keeps loggers weakly). One INFO line per request otherwise. */
    private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public ApiServerStandIn() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client = server.createClient();
    }

    /** What the deploy command gets as {@code -Dkubernetes.master}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client of the stand-in, for reading back what the deploy command did. */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Creates a CustomResourceDefinition (apiextensions.k8s.io/v1, one served and stored version, schema open) for
     * each custom kind among {@code resources} (kinds of the fabric8 model that are not built-in Kubernetes), the
     * way the Istio install creates its CRDs before anything of the mesh is applied. Returns the CRDs' names.
     */
    public List<String> defineCustomResources(Collection<? extends HasMetadata> resources) {
        Map<String, CustomResourceDefinition> definitions = new LinkedHashMap<>();
        for (HasMetadata resource : resources) {
            Class<? extends HasMetadata> type = resource.getClass();
            String group = HasMetadata.getGroup(type);
            if (group == null || group.isEmpty() || group.endsWith(".k8s.io") || !group.contains(".")) {
                continue;
            }
            String plural = HasMetadata.getPlural(type);
            definitions.computeIfAbsent(plural + "." + group, name -> new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(name).endMetadata()
                    .withNewSpec()
                    .withGroup(group)
                    .withScope(Namespaced.class.isAssignableFrom(type) ? "Namespaced" : "Cluster")
                    .withNewNames()
                    .withKind(HasMetadata.getKind(type))
                    .withPlural(plural)
                    .withSingular(HasMetadata.getSingular(type))
                    .endNames()
                    .addNewVersion()
                    .withName(HasMetadata.getVersion(type))
                    .withServed(true)
                    .withStorage(true)
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                    .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                    .endVersion()
                    .endSpec()
                    .build());
        }
        definitions.values().forEach(crd -> client.apiextensions().v1().customResourceDefinitions().resource(crd).create());
        return List.copyOf(definitions.keySet());
    }

    /** How many requests reached the stand-in so far (the test's own reads included). */
    public int requestCount() {
        return server.getRequestCount();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
