package dev.cafestack.mocha;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafestack.common.tracing.GatedGrpcClientTracing;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Writes the inbound request's {@link ForwardedHeaders} onto every gRPC call mocha makes. When the call is traced (the
 * request was sampled, {@link GatedGrpcClientTracing}) OpenTelemetry propagates the trace itself (W3C trace context,
 * with mocha's span as the parent); otherwise the trace headers (W3C, and B3 if a Zipkin-traced mesh sent them) are
 * copied as they came, so the mesh still joins the spans and the sampling decision reaches latte unchanged.
 */
@ApplicationScoped
@GlobalInterceptor
public class ForwardingClientInterceptor implements ClientInterceptor {

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ForwardedHeaders forwarded = ForwardedHeaders.current().orElse(null);
        if (forwarded == null) {
            return next.newCall(method, options);
        }
        boolean untracedCall = !GatedGrpcClientTracing.traced();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                forwarded.writeTo(headers, untracedCall);
                super.start(listener, headers);
            }
        };
    }
}
