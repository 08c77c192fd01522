package dev.cafestack.mocha;

import java.util.Optional;

import dev.cafestack.common.tracing.GatedGrpcClientTracing;
import dev.cafestack.common.tracing.TraceGate;
import io.grpc.Metadata;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.http.HttpServerRequest;

/**
 * The headers Istio asks every application to pass from its inbound request to its outbound calls, so that the
 * mesh can join the spans of one request and keep its request id. Captured once per HTTP request into the
 * request's Vert.x context; {@link ForwardingClientInterceptor} writes them onto the gRPC call to latte.
 */
public final class ForwardedHeaders {

    static final String CONTEXT_KEY = "cafe.forwarded-headers";

    /** Always copied verbatim. */
    static final String[] ALWAYS = {"x-request-id", "x-ot-span-context"};

    /**
     * Copied verbatim only when OpenTelemetry is not tracing the call (a sampled call carries the W3C context that
     * OpenTelemetry writes, with mocha's span as the parent; see {@link GatedGrpcClientTracing}): the W3C trace context
     * the mesh's tracer uses, and B3 for a mesh set up with a Zipkin tracer instead.
     */
    static final String[] UNTRACED = {"traceparent", "tracestate",
        "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags"};

    private static final Metadata.Key<?>[] ALWAYS_KEYS = keys(ALWAYS);
    private static final Metadata.Key<?>[] UNTRACED_KEYS = keys(UNTRACED);

    private final String[] always = new String[ALWAYS.length];
    private final String[] untraced = new String[UNTRACED.length];

    private ForwardedHeaders() {
    }

    /**
     * Captures the headers of an inbound request into its context; returns the x-request-id, or null. When the gate has
     * just declined to start a trace (tracing on, the request arrived without a valid traceparent, and no span was
     * started), the call to latte carries that decision: a fresh traceparent with the sampled flag off, as OpenTelemetry
     * would propagate for a span it does not record. Without it latte would take the decision again by itself and start
     * traces of its own for a share of the orders mocha did not sample.
     */
    public static String capture(HttpServerRequest request, TraceGate gate) {
        ForwardedHeaders headers = null;
        for (int i = 0; i < ALWAYS.length; i++) {
            String value = request.getHeader(ALWAYS[i]);
            if (value != null) {
                (headers = headers != null ? headers : new ForwardedHeaders()).always[i] = value;
            }
        }
        // With OpenTelemetry tracing this request, the call to latte carries its own trace context: nothing to copy.
        boolean traced = GatedGrpcClientTracing.traced();
        for (int i = 0; i < UNTRACED.length && !traced; i++) {
            String value = request.getHeader(UNTRACED[i]);
            if (value != null) {
                (headers = headers != null ? headers : new ForwardedHeaders()).untraced[i] = value;
            }
        }
        if (!traced && gate.enabled() && (headers == null || TraceGate.sampledFlag(headers.untraced[0]) < 0)) {
            headers = headers != null ? headers : new ForwardedHeaders();
            headers.untraced[0] = gate.declined();
            headers.untraced[1] = null; // a tracestate belongs to the traceparent it came with
        }
        if (headers != null) {
            ContextLocals.put(CONTEXT_KEY, headers);
            return headers.always[0];
        }
        return null;
    }

    /**
     * The headers captured by the request being served, if any. A call made outside a request (mocha's warm-up call at
     * startup, on no context or on a root context, where context locals are forbidden) forwards nothing.
     */
    static Optional<ForwardedHeaders> current() {
        return VertxContext.isOnDuplicatedContext() ? ContextLocals.get(CONTEXT_KEY) : Optional.empty();
    }

    void writeTo(Metadata metadata, boolean untracedCall) {
        write(metadata, ALWAYS_KEYS, always);
        if (untracedCall) {
            write(metadata, UNTRACED_KEYS, untraced);
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(Metadata metadata, Metadata.Key<?>[] keys, String[] values) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                Metadata.Key<String> key = (Metadata.Key<String>) keys[i];
                metadata.discardAll(key);
                metadata.put(key, values[i]);
            }
        }
    }

    private static Metadata.Key<?>[] keys(String[] names) {
        Metadata.Key<?>[] keys = new Metadata.Key<?>[names.length];
        for (int i = 0; i < names.length; i++) {
            keys[i] = Metadata.Key.of(names[i], Metadata.ASCII_STRING_MARSHALLER);
        }
        return keys;
    }
}
