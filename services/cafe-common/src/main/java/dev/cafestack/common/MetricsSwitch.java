package dev.cafestack.common;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * {@code cafe.metrics.enabled=false} (env {@code CAFE_METRICS_ENABLED=false}) turns every meter into a no-op at
 * runtime: Quarkus fixes its Micrometer switches at build time, and the benchmark's {@code obs-off} configuration runs
 * the same packaged artefact as {@code obs-on}. On (the default) it decides nothing.
 */
@Singleton
public class MetricsSwitch {

    @Produces
    @Singleton
    public MeterFilter metricsSwitch(@ConfigProperty(name = "cafe.metrics.enabled", defaultValue = "true") boolean enabled) {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return enabled ? MeterFilterReply.NEUTRAL : MeterFilterReply.DENY;
            }
        };
    }
}
