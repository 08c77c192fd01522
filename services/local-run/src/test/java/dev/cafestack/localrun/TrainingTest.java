package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("training.txt"), text);
    }

    @Test
    @DisplayName("reads env lines, rounds and requests with and without a body, skipping comments")
    void readsEnvRoundsAndRequests() throws IOException {
        Training training = Training.read(file("""
                # a comment
                env LATTE_HOST=127.0.0.1
                env LATTE_PORT=${closed-port}

                rounds 7
                POST /api/orders 503 {"drink":"mocha","size":"medium"}
                GET /q/metrics 200
                """));

        assertThat(training.rounds()).isEqualTo(7);
        assertThat(training.requests()).containsExactly(
                new Training.Request(6, "POST", "/api/orders", 503, "{\"drink\":\"mocha\",\"size\":\"medium\"}"),
                new Training.Request(7, "GET", "/q/metrics", 200, null));
        assertThat(training.env(41234)).isEqualTo(Map.of("LATTE_HOST", "127.0.0.1", "LATTE_PORT", "41234"));
    }

    @Test
    @DisplayName("sends the requests 20 times when the file gives no rounds")
    void defaultsToTwentyRounds() throws IOException {
        assertThat(Training.read(file("GET /q/health/live 200\n")).rounds()).isEqualTo(20);
    }

    @Test
    @DisplayName("rejects a line it cannot read, naming the file, the line and what to write")
    void rejectsAnUnreadableLine() throws IOException {
        Path file = file("GET /q/health/live 200\nGET /q/metrics ok\n");

        assertThatThrownBy(() -> Training.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ":2: cannot read 'GET /q/metrics ok': write 'env NAME=VALUE', 'rounds N' or "
                        + "'METHOD /path STATUS [JSON body]'");
    }

    @Test
    @DisplayName("rejects rounds out of range and a file without requests")
    void rejectsNoRequestsAndBadRounds() throws IOException {
        Path zeroRounds = file("rounds 0\nGET / 200\n");
        assertThatThrownBy(() -> Training.read(zeroRounds)).hasMessage(zeroRounds + ":1: cannot read 'rounds 0': "
                + "rounds must be 1 to 10000");

        Path onlyEnv = file("env A=b\n");
        assertThatThrownBy(() -> Training.read(onlyEnv)).hasMessageStartingWith(onlyEnv + ": no requests;");
    }
}
