package dev.cafestack.common;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Publishes the request latency timers of HTTP and gRPC (server and client) as Prometheus histograms with a fixed,
 * small set of buckets: p50/p99 can be computed per service and version with {@code histogram_quantile}, and the
 * number of series stays bounded (no per-request or per-URL tags, no client-side percentiles).
 */
@Singleton
public class LatencyHistograms {

    /** Bucket bounds from 1 ms to 5 s: the range an order's latency lives in, one bucket per step. */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)
    };

    static final String[] TIMERS = {
        "http.server.requests", "grpc.server.processing.duration", "grpc.client.processing.duration"
    };

    @Produces
    @Singleton
    public MeterFilter latencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                for (String timer : TIMERS) {
                    if (timer.equals(id.getName())) {
                        return DistributionStatisticConfig.builder()
                                .serviceLevelObjectives(nanos(BUCKETS))
                                .percentilesHistogram(false)
                                .build()
                                .merge(config);
                    }
                }
                return config;
            }
        };
    }

    private static double[] nanos(Duration[] durations) {
        double[] nanos = new double[durations.length];
        for (int i = 0; i < durations.length; i++) {
            nanos[i] = durations[i].toNanos();
        }
        return nanos;
    }
}
