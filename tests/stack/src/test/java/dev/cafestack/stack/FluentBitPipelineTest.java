package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The CRI format as containerd writes it, read back by the rendered Fluent Bit configuration (see FluentBitPipeline). */
class FluentBitPipelineTest {

    private static final String TIME = "2026-11-25T08:00:00.123456789Z";
    private static final String LINE = "{\"level\":\"INFO\",\"message\":\"brewed\",\"mdc\":{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
            + "\"spanId\":\"00f067aa0ba902b7\",\"x-request-id\":\"req-1\"}}";

    @Test
    @DisplayName("a full (F) CRI line with a JSON log becomes top-level fields, the trace ids lifted out of mdc")
    void fullLine() {
        FluentBitPipeline pipeline = FluentBitPipeline.of("dev");
        Map<String, Object> record = pipeline.read(TIME + " stdout F " + LINE);
        assertThat(record).containsEntry("traceId", "4bf92f3577b34da6a3ce929d0e0e4736").containsEntry("spanId", "00f067aa0ba902b7")
                .containsEntry("x-request-id", "req-1").containsEntry("message", "brewed").containsEntry("stream", "stdout")
                .doesNotContainKeys("log", "mdc");
    }

    @Test
    @DisplayName("a long line that containerd cut into partial (P) records is joined before its JSON is read")
    void partialLines() {
        FluentBitPipeline pipeline = FluentBitPipeline.of("dev");
        List<String> records = FluentBitPipeline.containerd(TIME, "stdout", LINE, 40);
        assertThat(records).hasSizeGreaterThan(2);
        assertThat(records.subList(0, records.size() - 1)).allMatch(r -> r.startsWith(TIME + " stdout P "));
        for (String r : records.subList(0, records.size() - 1)) {
            assertThat(pipeline.read(r)).as("still partial").isNull();
        }
        assertThat(pipeline.read(records.get(records.size() - 1))).containsEntry("x-request-id", "req-1");
    }

    @Test
    @DisplayName("a plain-text line stays in log, untouched")
    void plainText() {
        Map<String, Object> record = FluentBitPipeline.of("local").read(TIME + " stderr F 08:00:00 INFO started");
        assertThat(record).containsEntry("log", "08:00:00 INFO started").containsEntry("stream", "stderr");
    }
}
