package dev.cafestack.common;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.NoopOpenTelemetryExemplarContextUnwrapper;
import io.quarkus.micrometer.runtime.export.exemplars.OpenTelemetryContextUnwrapper;

/**
 * No trace exemplars on the services' metrics. With OpenTelemetry present, Quarkus attaches the current trace id to
 * histogram and counter samples, and re-activates each request's OpenTelemetry context to do so. cafe-stack's
 * Prometheus stores no exemplars (it runs without {@code --enable-feature=exemplar-storage}) and no Grafana panel links
 * them, so that work bought nothing: in a profile of mocha under load (bench/) it was about 3 % of the samples with
 * observability on. Traces are found from logs instead ({@code traceId} in every JSON log line).
 */
@Singleton
public class NoExemplars {

    /** Above Quarkus' own Prometheus registry producer, which takes the sampler as an {@code Optional}. */
    static final int PRIORITY = Interceptor.Priority.APPLICATION + 200;

    @Produces
    @Singleton
    @Alternative
    @Priority(PRIORITY)
    public Optional<ExemplarSampler> noExemplarSampler() {
        return Optional.empty();
    }

    @Produces
    @Singleton
    @Alternative
    @Priority(PRIORITY)
    public OpenTelemetryContextUnwrapper noContextSwitchPerRequest() {
        return new NoopOpenTelemetryExemplarContextUnwrapper();
    }
}
