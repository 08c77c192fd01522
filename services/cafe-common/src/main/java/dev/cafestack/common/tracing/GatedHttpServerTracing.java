package dev.cafestack.common.tracing;

import java.util.Map;
import java.util.function.BiConsumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.opentelemetry.runtime.tracing.instrumentation.InstrumentationRecorder;
import io.quarkus.opentelemetry.runtime.tracing.instrumentation.vertx.OpenTelemetryVertxTracingFactory.VertxDelegator;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;

/**
 * Puts the {@link TraceGate} in front of Quarkus' HTTP server tracing: an inbound request the gate does not let through
 * gets no server span, and nothing else of OpenTelemetry runs for it; one it lets through is traced by Quarkus exactly as
 * before (span name from the route, HTTP semantic-convention attributes, the span current for the request's code).
 * Requests to the non-application endpoints ({@code /q/health}, {@code /q/metrics}) are never traced: probes and scrapes
 * would otherwise start traces of their own.
 * <p>
 * Quarkus hands every Vert.x request to one {@link VertxTracer} that it installs at startup behind a delegator
 * ({@link InstrumentationRecorder#FACTORY}); the gate wraps that delegate once the application has started. With the
 * OpenTelemetry SDK disabled there is no tracer and nothing to wrap.
 */
@Singleton
public class GatedHttpServerTracing {

    private static final Logger LOG = Logger.getLogger(GatedHttpServerTracing.class);

    private final TraceGate gate;
    private final String nonApplicationRoot;

    GatedHttpServerTracing(TraceGate gate,
            @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q") String nonApplicationRoot) {
        this.gate = gate;
        String root = nonApplicationRoot.startsWith("/") ? nonApplicationRoot : "/" + nonApplicationRoot;
        this.nonApplicationRoot = root.endsWith("/") ? root : root + "/";
    }

    void install(@Observes @Priority(1) StartupEvent started) {
        install(InstrumentationRecorder.FACTORY.getVertxTracerDelegator());
    }

    /** Wraps the delegator's tracer (once); returns whether the gate is now in front of it. */
    boolean install(VertxDelegator delegator) {
        VertxTracer<?, ?> tracer = delegator.getDelegate();
        if (tracer instanceof Gated) {
            return true;
        }
        if (tracer == null) {
            if (gate.enabled()) {
                LOG.warn("OpenTelemetry is on but Quarkus installed no Vert.x tracer: HTTP requests are not traced");
            }
            return false;
        }
        delegator.setDelegate(new Gated(tracer, gate, nonApplicationRoot));
        return true;
    }

    /** Quarkus' tracer, asked only about the requests the gate lets through; everything else passes unchanged. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class Gated implements VertxTracer<Object, Object> {

        private final VertxTracer delegate;
        private final TraceGate gate;
        private final String nonApplicationRoot;

        Gated(VertxTracer<?, ?> delegate, TraceGate gate, String nonApplicationRoot) {
            this.delegate = delegate;
            this.gate = gate;
            this.nonApplicationRoot = nonApplicationRoot;
        }

        @Override
        public <R> Object receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
            if (request instanceof HttpRequest http
                    && (http.uri().startsWith(nonApplicationRoot) || !gate.traces(traceparent(http, headers)))) {
                return null; // Vert.x passes null back to sendResponse: nothing to end
            }
            return delegate.receiveRequest(context, kind, policy, request, operation, headers, tagExtractor);
        }

        @Override
        public <R> void sendResponse(Context context, R response, Object payload, Throwable failure,
                TagExtractor<R> tagExtractor) {
            if (payload != null) {
                delegate.sendResponse(context, response, payload, failure, tagExtractor);
            }
        }

        @Override
        public <R> Object sendRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
                BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
            return delegate.sendRequest(context, kind, policy, request, operation, headers, tagExtractor);
        }

        @Override
        public <R> void receiveResponse(Context context, R response, Object payload, Throwable failure,
                TagExtractor<R> tagExtractor) {
            delegate.receiveResponse(context, response, payload, failure, tagExtractor);
        }

        @Override
        public void close() {
            delegate.close();
        }

        private static String traceparent(HttpRequest http, Iterable<Map.Entry<String, String>> headers) {
            MultiMap map = headers instanceof MultiMap m ? m : http.headers();
            return map.get(TraceGate.TRACEPARENT);
        }
    }
}
