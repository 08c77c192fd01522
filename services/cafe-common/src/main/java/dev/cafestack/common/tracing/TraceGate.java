package dev.cafestack.common.tracing;

import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * Head sampling decided before any span work. Quarkus' instrumentation builds a span for every request (attributes
 * extracted, ids generated, context attached to the Vert.x context, trace ids written into the MDC and removed again)
 * and only then asks the sampler, so the orders that are <em>not</em> sampled paid for most of tracing's cost. The gate
 * decides first, from what the request carries:
 * <ul>
 * <li>a valid W3C {@code traceparent} (the mesh's sidecar, or a caller, has decided): its sampled flag, as a
 * parent-based sampler would;</li>
 * <li>none, or a malformed one (a new trace starts here): sampled with probability {@code cafe.trace.sampling}.</li>
 * </ul>
 * Only a request the gate lets through reaches Quarkus' instrumentation ({@link GatedHttpServerTracing},
 * {@link GatedGrpcServerTracing}, {@link GatedGrpcClientTracing}); the SDK then records every span it builds
 * ({@code quarkus.otel.traces.sampler=parentbased_always_on}), because the decision is already made. A request the
 * gate stops costs a header look-up and, for a new trace, one random number; its trace headers still travel to the
 * next hop verbatim, so the mesh's spans of a sampled trace stay joined and an unsampled one stays unsampled.
 */
@Singleton
public class TraceGate {

    /** The W3C header the mesh's tracer (Istio's opentelemetry provider) and OpenTelemetry read and write. */
    public static final String TRACEPARENT = "traceparent";

    private static final IdGenerator IDS = IdGenerator.random();

    private final boolean enabled;
    private final double ratio;

    @Inject
    TraceGate(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled,
            @ConfigProperty(name = "cafe.trace.sampling", defaultValue = "1.0") String sampling) {
        this(!sdkDisabled, ratio(sampling));
    }

    TraceGate(boolean enabled, double ratio) {
        this.enabled = enabled;
        this.ratio = ratio;
    }

    /** Whether a request with this {@code traceparent} (null when it has none) is traced. */
    public boolean traces(String traceparent) {
        if (!enabled) {
            return false;
        }
        int flag = sampledFlag(traceparent);
        if (flag >= 0) {
            return flag == 1;
        }
        return ratio >= 1.0 || ratio > 0.0 && ThreadLocalRandom.current().nextDouble() < ratio;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * A new W3C trace context with the sampled flag off: what a service passes on after the gate declined to start a
     * trace, so that the next hop follows the decision instead of taking it again.
     */
    public String declined() {
        return "00-" + IDS.generateTraceId() + "-" + IDS.generateSpanId() + "-00";
    }

    /**
     * The sampled flag of a W3C trace context version 00 header: 1 sampled, 0 not, -1 when the value is absent or is not
     * a valid {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>} (an all-zero id is invalid). What
     * OpenTelemetry's W3C propagator accepts, this accepts; what it ignores starts a new trace here too.
     */
    public static int sampledFlag(String value) {
        if (value == null || value.length() != 55 || value.charAt(0) != '0' || value.charAt(1) != '0'
                || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return -1;
        }
        if (!hexNotAllZero(value, 3, 35) || !hexNotAllZero(value, 36, 52)) {
            return -1;
        }
        int high = hex(value.charAt(53));
        int low = hex(value.charAt(54));
        if (high < 0 || low < 0) {
            return -1;
        }
        return low & 1;
    }

    private static boolean hexNotAllZero(String value, int from, int to) {
        boolean nonZero = false;
        for (int i = from; i < to; i++) {
            int digit = hex(value.charAt(i));
            if (digit < 0) {
                return false;
            }
            nonZero |= digit != 0;
        }
        return nonZero;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    static double ratio(String sampling) {
        double ratio;
        try {
            ratio = Double.parseDouble(sampling.trim());
        } catch (NumberFormatException e) {
            ratio = Double.NaN;
        }
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("cafe.trace.sampling (env CAFE_TRACE_SAMPLING) is '" + sampling
                    + "': it must be a ratio from 0.0 (no new traces) to 1.0 (every new trace), e.g. 0.05; "
                    + "set it in environments/<env>.properties");
        }
        return ratio;
    }
}
