package dev.cafestack.common.tracing;

import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Singleton;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.opentelemetry.runtime.config.runtime.OTelRuntimeConfig;
import io.quarkus.opentelemetry.runtime.tracing.instrumentation.grpc.GrpcTracingClientInterceptor;

/**
 * Quarkus' gRPC client tracing, for calls made inside a sampled span only: the call gets a client span, and the callee
 * receives the trace with that span as its parent. Any other call (the request was not sampled, or there is no
 * request: a health check) goes out untraced, and the caller's own trace headers, if it had any, travel verbatim
 * (mocha's {@code ForwardingClientInterceptor}).
 */
@Singleton
@GlobalInterceptor
public class GatedGrpcClientTracing implements ClientInterceptor, Prioritized {

    private final ClientInterceptor tracing;

    GatedGrpcClientTracing(OpenTelemetry openTelemetry, OTelRuntimeConfig config) {
        this.tracing = new GrpcTracingClientInterceptor(openTelemetry, config);
    }

    /** Whether a call made now is traced: the same test decides whether trace headers are copied verbatim instead. */
    public static boolean traced() {
        return Span.current().getSpanContext().isSampled();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return traced() ? tracing.interceptCall(method, options, next) : next.newCall(method, options);
    }

    @Override
    public int getPriority() {
        return GatedGrpcServerTracing.PRIORITY;
    }
}
