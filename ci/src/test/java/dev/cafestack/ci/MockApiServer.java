package dev.cafestack.ci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * fabric8's {@link KubernetesMockServer} in CRUD mode on 127.0.0.1 and a free port: it stores what is created,
 * updated or patched and serves it back. No controllers (a Deployment's status is what the test writes).
 */
final class MockApiServer implements AutoCloseable {

    /** Held, so that its level stays set (the log manager keeps loggers weakly). One INFO line per request otherwise. */
    private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    MockApiServer() {
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

    KubernetesClient client() {
        return client;
    }

    /** Requests served so far. */
    int requests() {
        return server.getRequestCount();
    }

    /** The last request's method and path, e.g. "PATCH /apis/apps/v1/...". */
    String lastRequest() {
        try {
            var request = server.takeRequest();
            return request.getMethod() + " " + request.getPath();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
