package dev.cafestack.mocha;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import grpc.health.v1.Health;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/** mocha is ready only while latte's gRPC health service says SERVING (same channel as the orders). */
@Readiness
@ApplicationScoped
public class LatteReadiness implements AsyncHealthCheck {

    private static final Logger LOG = Logger.getLogger(LatteReadiness.class);

    private static final HealthCheckRequest ANY_SERVICE = HealthCheckRequest.newBuilder().build();

    private final Health health;

    LatteReadiness(@GrpcClient("latte") Health health) {
        this.health = health;
    }

    /**
     * Connects the shared channel at startup, so neither the first readiness check nor the first order pays for the
     * connection. latte not answering yet is the readiness check's to report; any other failure means the call never
     * left mocha (the channel stays unconnected), and is logged.
     */
    void warmUp(@Observes StartupEvent event) {
        health.check(ANY_SERVICE).subscribe().with(reply -> {
        }, failure -> {
            if (!(failure instanceof StatusRuntimeException) && !(failure instanceof StatusException)) {
                LOG.warn("The warm-up call to latte failed before reaching it: the channel connects on the first call",
                        failure);
            }
        });
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return health.check(ANY_SERVICE)
                .ifNoItem().after(Duration.ofSeconds(1)).fail()
                .map(reply -> HealthCheckResponse.builder().name("latte")
                        .status(reply.getStatus() == ServingStatus.SERVING)
                        .withData("status", reply.getStatus().name()).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.builder().name("latte").down()
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}
