package dev.cafestack.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.opentelemetry.runtime.tracing.instrumentation.vertx.OpenTelemetryVertxTracingFactory.VertxDelegator;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;

class GatedHttpServerTracingTest {

    /** Stands in for Quarkus' tracer: records what it is asked, answers a span handle for each request. */
    static final class RecordingTracer implements VertxTracer<Object, Object> {
        final List<String> calls = new ArrayList<>();

        @Override
        public <R> Object receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
            calls.add("receive " + ((HttpRequest) request).uri());
            return "span of " + ((HttpRequest) request).uri();
        }

        @Override
        public <R> void sendResponse(Context context, R response, Object payload, Throwable failure, TagExtractor<R> tags) {
            calls.add("send " + payload);
        }

        @Override
        public <R> Object sendRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
            calls.add("client request");
            return "client span";
        }
    }

    static HttpRequest request(String uri, String traceparent) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (traceparent != null) {
            headers.add("TraceParent", traceparent);
        }
        return new HttpRequest() {
            @Override
            public int id() {
                return 1;
            }

            @Override
            public String uri() {
                return uri;
            }

            @Override
            public String absoluteURI() {
                return "http://mocha" + uri;
            }

            @Override
            public HttpMethod method() {
                return HttpMethod.POST;
            }

            @Override
            public MultiMap headers() {
                return headers;
            }

            @Override
            public SocketAddress remoteAddress() {
                return null;
            }
        };
    }

    private final RecordingTracer quarkus = new RecordingTracer();
    private final VertxDelegator delegator = new VertxDelegator().setDelegate(quarkus);

    @SuppressWarnings("unchecked")
    private Object serve(HttpRequest request) {
        VertxTracer<Object, Object> tracer = delegator.getDelegate();
        Object span = tracer.receiveRequest(null, SpanKind.RPC, TracingPolicy.ALWAYS, request, "POST", request.headers(), null);
        tracer.sendResponse(null, "201", span, null, null);
        return span;
    }

    @Test
    @DisplayName("Quarkus' tracer never hears of a request the gate stops, and traces one it lets through as before")
    void onlySampledRequestsReachQuarkusTracing() {
        assertThat(new GatedHttpServerTracing(new TraceGate(true, 0.0), "q").install(delegator)).isTrue();

        assertThat(serve(request("/api/orders", TraceGateTest.NOT_SAMPLED))).isNull();
        assertThat(serve(request("/api/orders", null))).as("a new trace the ratio (0) does not pick").isNull();
        assertThat(quarkus.calls).isEmpty();

        assertThat(serve(request("/api/orders", TraceGateTest.SAMPLED))).isEqualTo("span of /api/orders");
        assertThat(quarkus.calls).containsExactly("receive /api/orders", "send span of /api/orders");
    }

    @Test
    @DisplayName("probes and scrapes (/q/health, /q/metrics) are never traced, even when their caller sampled them")
    void nonApplicationEndpointsAreNotTraced() {
        new GatedHttpServerTracing(new TraceGate(true, 1.0), "/q").install(delegator);
        assertThat(serve(request("/q/health/ready", TraceGateTest.SAMPLED))).isNull();
        assertThat(serve(request("/q/metrics", null))).isNull();
        assertThat(serve(request("/quick-order", null))).as("only the non-application root, not a look-alike path")
                .isEqualTo("span of /quick-order");
        assertThat(quarkus.calls).containsExactly("receive /quick-order", "send span of /quick-order");
    }

    @Test
    @DisplayName("outbound requests, which the gate does not decide, still reach Quarkus' tracer")
    void clientRequestsPassThrough() {
        new GatedHttpServerTracing(new TraceGate(true, 0.0), "q").install(delegator);
        assertThat(delegator.getDelegate().sendRequest(null, SpanKind.RPC, TracingPolicy.ALWAYS, "export", "POST",
                (k, v) -> { }, null)).isEqualTo("client span");
    }

    @Test
    @DisplayName("installing twice wraps once; with OpenTelemetry off there is no tracer to wrap")
    void installsOnce() {
        GatedHttpServerTracing gated = new GatedHttpServerTracing(new TraceGate(true, 0.0), "q");
        gated.install(delegator);
        VertxTracer<?, ?> once = delegator.getDelegate();
        assertThat(gated.install(delegator)).isTrue();
        assertThat(delegator.getDelegate()).isSameAs(once);

        VertxDelegator none = new VertxDelegator();
        assertThat(new GatedHttpServerTracing(new TraceGate(false, 1.0), "q").install(none)).isFalse();
        assertThat(none.getDelegate()).isNull();
    }
}
