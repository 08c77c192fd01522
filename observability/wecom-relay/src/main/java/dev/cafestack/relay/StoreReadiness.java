package dev.cafestack.relay;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the store takes writes: an accepted notification must be durable before the 200. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    RelayService relay;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("store").status(relay.storeWritable()).build();
    }
}
