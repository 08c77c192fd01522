package dev.cafestack.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceGateTest {

    static final String SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String NOT_SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

    @Test
    @DisplayName("a traceparent decides: sampled is traced and not sampled is not, whatever the ratio of new traces")
    void followsTheCallersDecision() {
        for (double ratio : new double[] {0.0, 0.05, 1.0}) {
            TraceGate gate = new TraceGate(true, ratio);
            assertThat(gate.traces(SAMPLED)).as("sampled, ratio " + ratio).isTrue();
            assertThat(gate.traces(NOT_SAMPLED)).as("not sampled, ratio " + ratio).isFalse();
            // Other flag bits do not matter, only the sampled bit (W3C trace-flags 0x01).
            assertThat(gate.traces(SAMPLED.replace("-01", "-03"))).isTrue();
            assertThat(gate.traces(NOT_SAMPLED.replace("-00", "-02"))).isFalse();
        }
    }

    @Test
    @DisplayName("without a traceparent a new trace is started at the ratio: never at 0, always at 1, about a quarter at 0.25")
    void newTracesAtTheRatio() {
        assertThat(IntStream.range(0, 1000).filter(i -> new TraceGate(true, 0.0).traces(null)).count()).isZero();
        assertThat(IntStream.range(0, 1000).filter(i -> new TraceGate(true, 1.0).traces(null)).count()).isEqualTo(1000);
        TraceGate quarter = new TraceGate(true, 0.25);
        long traced = IntStream.range(0, 40_000).filter(i -> quarter.traces(null)).count();
        // 40,000 draws at p = 0.25: the standard deviation of the share is 0.0022; 0.02 either way is 9 of them.
        assertThat(traced / 40_000.0).isBetween(0.23, 0.27);
    }

    @ParameterizedTest(name = "\"{0}\" is not a valid traceparent: a new trace starts")
    @ValueSource(strings = {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        // Characters beyond ASCII whose low seven bits are a hex digit's ('\u00b0' is 0x30 + 0x80, '\u0131' 0x31 + 0x100),
        // and a digit of another script: none is a hex digit.
        "00-4bf92f3577b34da6a3ce929d0e0e47\u00b06-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b\u0131-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\u0661", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\u00e1\u00e1"})
    void malformedStartsANewTrace(String value) {
        assertThat(TraceGate.sampledFlag(value)).isEqualTo(-1);
        assertThat(new TraceGate(true, 1.0).traces(value)).isTrue();
        assertThat(new TraceGate(true, 0.0).traces(value)).isFalse();
    }

    @Test
    @DisplayName("with OpenTelemetry off nothing is traced, not even a request its caller sampled")
    void offTracesNothing() {
        TraceGate off = new TraceGate(false, 1.0);
        assertThat(off.traces(SAMPLED)).isFalse();
        assertThat(off.traces(null)).isFalse();
    }

    @Test
    @DisplayName("a declined trace is passed on as a fresh, valid traceparent with the sampled flag off")
    void declinedIsAValidUnsampledTraceparent() {
        TraceGate gate = new TraceGate(true, 0.0);
        Set<String> traceIds = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String declined = gate.declined();
            assertThat(declined).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
            assertThat(TraceGate.sampledFlag(declined)).isZero();
            traceIds.add(declined.substring(3, 35));
        }
        assertThat(traceIds).as("a new trace id each time").hasSize(100);
    }

    @ParameterizedTest(name = "cafe.trace.sampling={0} is refused, naming the key and the fix")
    @ValueSource(strings = {"1.5", "-0.1", "five", "NaN", ""})
    void badRatioIsRefused(String value) {
        assertThatThrownBy(() -> new TraceGate(false, value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cafe.trace.sampling (env CAFE_TRACE_SAMPLING) is '" + value + "'")
                .hasMessageContaining("from 0.0")
                .hasMessageContaining("environments/<env>.properties");
    }

    @Test
    @DisplayName("the ratio is read as a number from 0 to 1")
    void goodRatios() {
        assertThat(TraceGate.ratio("0")).isZero();
        assertThat(TraceGate.ratio(" 0.05 ")).isEqualTo(0.05);
        assertThat(TraceGate.ratio("1.0")).isEqualTo(1.0);
    }
}
