package dev.cafestack.latte;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.cafestack.common.tracing.GatedGrpcServerTracing;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Puts the caller's {@code x-request-id} into the logging context of the call, so every log line of one request
 * carries it (next to the traceId/spanId that OpenTelemetry adds). At DEBUG on this class it also logs the tracing
 * headers the call arrived with, which shows what mocha propagated.
 */
@ApplicationScoped
@GlobalInterceptor
public class RequestContextInterceptor implements ServerInterceptor, Prioritized {

    /** Runs after (inside) the gated tracing interceptor, so the call's span, if it is sampled, is current here. */
    @Override
    public int getPriority() {
        return GatedGrpcServerTracing.PRIORITY - 100;
    }

    static final Logger LOG = Logger.getLogger(RequestContextInterceptor.class);

    static final String[] TRACING_HEADERS = {
        "x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
        "x-ot-span-context", "traceparent", "tracestate"
    };

    private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String requestId = headers.get(REQUEST_ID);
        if (requestId != null) {
            MDC.put("x-request-id", requestId);
        }
        if (LOG.isDebugEnabled()) {
            StringBuilder line = new StringBuilder("received ").append(call.getMethodDescriptor().getFullMethodName());
            for (String name : TRACING_HEADERS) {
                String value = headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
                if (value != null) {
                    line.append(' ').append(name).append('=').append(value);
                }
            }
            LOG.debug(line);
        }
        return next.startCall(call, headers);
    }
}
