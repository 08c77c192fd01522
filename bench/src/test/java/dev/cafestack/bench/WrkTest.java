package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WrkTest {

    @Test
    @DisplayName("wrk's result line gives the rate, the percentiles and the non-2xx and socket error counts")
    void readsTheResultLine() {
        Wrk.Result r = Wrk.parse("Running 2s test @ http://127.0.0.1:8080/api/orders\n"
                + "BENCH-RESULT requests=5000 duration_us=2000000 non2xx=7 connect=1 read=2 write=0 timeout=3 "
                + "p50_us=900 p99_us=4100 p999_us=9000 max_us=12000\n");
        assertThat(r.rate()).isEqualTo(2500.0);
        assertThat(r.non2xx()).isEqualTo(7);
        assertThat(r.socketErrors()).isEqualTo(6);
        assertThat(r.p50()).isEqualTo(900);
        assertThat(r.p99()).isEqualTo(4100);
        assertThat(r.p999()).isEqualTo(9000);
        assertThat(r.max()).isEqualTo(12000);
    }

    @Test
    @DisplayName("output without the result line (a broken script) fails naming the cause")
    void missingResultLineFails() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:8080 Connection refused"))
                .hasMessageContaining("no BENCH-RESULT line");
    }

    @Test
    @DisplayName("options: durations in s or ms, warm-up as windows x window, unknown options and configs refused")
    void options() {
        Options o = Options.parse("--runs=2", "--duration=3s", "--warmup=4x2s", "--configs=obs-on,latte-down");
        assertThat(o.warmupWindows()).isEqualTo(4);
        assertThat(o.warmupWindow().toSeconds()).isEqualTo(2);
        assertThat(o.configs()).containsExactly("obs-on", "latte-down");
        assertThatThrownBy(() -> Options.parse("--colour=blue")).hasMessageContaining("unknown option(s): [colour]");
        assertThatThrownBy(() -> Options.parse("--configs=obs-maybe")).hasMessageContaining("unknown config 'obs-maybe'");
        assertThatThrownBy(() -> Options.parse("--ports=80")).hasMessageContaining("--ports is default, free");
        assertThatThrownBy(() -> Options.parse("--ports=1,2,3,4")).as("both configurations need ports")
                .hasMessageContaining("eight ports");
        assertThatThrownBy(() -> Options.parse("--ports=1,2,3,4,5,6,7")).as("the sink listens for both transports")
                .hasMessageContaining("<otlp grpc>,<otlp http>");
        assertThat(Options.parse("--ports=1,2,3,4,5,6,7,8").ports()).isEqualTo("1,2,3,4,5,6,7,8");
        assertThat(Options.parse("--obs-on-env=QUARKUS_OTEL_SDK_DISABLED=true, CAFE_METRICS_ENABLED=false").obsOnEnv())
                .containsEntry("QUARKUS_OTEL_SDK_DISABLED", "true").containsEntry("CAFE_METRICS_ENABLED", "false").hasSize(2);
        assertThat(Options.parse().obsOnEnv()).isEmpty();
        assertThat(Options.parse("--obs-off-env=QUARKUS_OTEL_SDK_DISABLED=false").obsOffEnv())
                .containsExactly(java.util.Map.entry("QUARKUS_OTEL_SDK_DISABLED", "false"));
        assertThat(Options.parse().obsOffEnv()).isEmpty();
        assertThatThrownBy(() -> Options.parse("--obs-off-env=on")).hasMessageContaining("--obs-off-env is NAME=VALUE");
        assertThatThrownBy(() -> Options.parse("--obs-on-env=tracing off")).hasMessageContaining("--obs-on-env is NAME=VALUE");
        assertThat(Options.parse("--obs-on-jvm-args= -XX:NewSize=16m  -Xlog:gc ").obsOnJvmArgs())
                .containsExactly("-XX:NewSize=16m", "-Xlog:gc");
        assertThat(Options.parse().obsOnJvmArgs()).isEmpty();
    }

    @Test
    @DisplayName("the ratios pair each obs-on run with the obs-off run just before it, and give their median")
    void pairedRatios() {
        java.util.List<Bench.Run> off = java.util.List.of(run("obs-off", 1, 1000), run("obs-off", 2, 500), run("obs-off", 3, 1000));
        java.util.List<Bench.Run> on = java.util.List.of(run("obs-on", 1, 900), run("obs-on", 2, 480), run("obs-on", 3, 700));
        assertThat(Bench.paired(off, on, r -> r.load().rate())).isEqualTo("0.90 0.96 0.70 (median 0.90x)");
    }

    @Test
    @DisplayName("round by round, each round's obs-on median is set against its obs-off median, and their median given")
    void roundRatios() {
        java.util.List<Bench.Run> off = java.util.List.of(run("obs-off", 1, 1, 1000), run("obs-off", 1, 2, 1200),
                run("obs-off", 1, 3, 800), run("obs-off", 2, 1, 500), run("obs-off", 2, 2, 600), run("obs-off", 2, 3, 400),
                run("obs-off", 3, 1, 1000), run("obs-off", 3, 2, 1000), run("obs-off", 3, 3, 1000));
        java.util.List<Bench.Run> on = java.util.List.of(run("obs-on", 1, 1, 900), run("obs-on", 1, 2, 100),
                run("obs-on", 1, 3, 950), run("obs-on", 2, 1, 550), run("obs-on", 2, 2, 600), run("obs-on", 2, 3, 700),
                run("obs-on", 3, 1, 800), run("obs-on", 3, 2, 800), run("obs-on", 3, 3, 800));
        // Round 1: 900 / 1000; round 2: 600 / 500; round 3: 800 / 1000.
        assertThat(Bench.byRound(off, on, r -> r.load().rate())).isEqualTo("0.90 1.20 0.80 (median 0.90x)");
    }

    private static Bench.Run run(String config, int index, long requests) {
        return run(config, 1, index, requests);
    }

    private static Bench.Run run(String config, int round, int index, long requests) {
        return new Bench.Run(config, round, index, new Wrk.Result(requests, 1_000_000, 0, 0, 1, 2, 3, 4), java.util.Map.of());
    }
}
