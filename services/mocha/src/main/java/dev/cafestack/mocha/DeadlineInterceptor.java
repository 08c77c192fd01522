package dev.cafestack.mocha;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafestack.mocha.config.MochaConfig;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Gives every gRPC call mocha makes its own deadline, counted from the start of that call ({@code mocha.latte.deadline} in
 * mocha.yaml). latte sees the deadline too and can stop work nobody waits for.
 *
 * <p>Not {@code quarkus.grpc.clients.latte.deadline}: measured here, that deadline is fixed when the shared stub is
 * created, so after it passes every call fails at once with DEADLINE_EXCEEDED.
 */
@ApplicationScoped
@GlobalInterceptor
public class DeadlineInterceptor implements ClientInterceptor {

    private final long deadlineNanos;

    DeadlineInterceptor(MochaConfig config) {
        this.deadlineNanos = config.latte().deadline().toNanos();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        CallOptions withDeadline = options.getDeadline() == null
                ? options.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
                : options;
        return next.newCall(method, withDeadline);
    }
}
