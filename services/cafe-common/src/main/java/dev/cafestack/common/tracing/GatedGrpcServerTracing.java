package dev.cafestack.common.tracing;

import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Singleton;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.opentelemetry.runtime.config.runtime.OTelRuntimeConfig;
import io.quarkus.opentelemetry.runtime.tracing.instrumentation.grpc.GrpcTracingServerInterceptor;

/**
 * The {@link TraceGate} in front of Quarkus' gRPC server tracing: a call whose {@code traceparent} says "not sampled"
 * (or, without one, that the gate does not pick) goes straight to the service, and so does every call of the gRPC
 * health service; any other is traced by Quarkus' own interceptor, as it would be with
 * {@code quarkus.otel.instrument.grpc=true}. The services build with that switch off,
 * so that only this gated copy runs.
 */
@Singleton
@GlobalInterceptor
public class GatedGrpcServerTracing implements ServerInterceptor, Prioritized {

    /** The priority Quarkus gives its own tracing interceptor: interceptors of lower priority run inside it. */
    public static final int PRIORITY = 0;

    private static final Metadata.Key<String> TRACEPARENT =
            Metadata.Key.of(TraceGate.TRACEPARENT, Metadata.ASCII_STRING_MARSHALLER);

    private final TraceGate gate;
    private final ServerInterceptor tracing;

    GatedGrpcServerTracing(TraceGate gate, OpenTelemetry openTelemetry, OTelRuntimeConfig config) {
        this.gate = gate;
        this.tracing = new GrpcTracingServerInterceptor(openTelemetry, config);
    }

    /** The gRPC health service (probes, mocha's readiness): never traced, as HTTP's {@code /q/health} is not. */
    static final String HEALTH = "grpc.health.v1.Health";

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (gate.traces(headers.get(TRACEPARENT)) && !HEALTH.equals(call.getMethodDescriptor().getServiceName())) {
            return tracing.interceptCall(call, headers, next);
        }
        return next.startCall(call, headers);
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }
}
