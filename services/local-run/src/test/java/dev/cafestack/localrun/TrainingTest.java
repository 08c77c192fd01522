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

import io.grpc.Status;

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
        assertThat(training.env(41234, 41235)).isEqualTo(Map.of("LATTE_HOST", "127.0.0.1", "LATTE_PORT", "41234"));
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
                .hasMessage(file + ":2: cannot read 'GET /q/metrics ok': write 'env NAME=VALUE', 'rounds N', "
                        + "'METHOD /path STATUS [JSON body]', 'call package.Service/Method CODE [HEX]' or "
                        + "'grpc package.Service/Method HEX'");
    }

    @Test
    @DisplayName("reads gRPC calls among the requests, in their place, with their message bytes and status code")
    void readsGrpcCalls() throws IOException {
        Training training = Training.read(file("""
                call cafe.v1.Barista/Brew OK 0A056C61747465
                GET /q/health/ready 200
                call cafe.v1.Barista/Brew INVALID_ARGUMENT
                """));

        assertThat(training.requests()).containsExactly(
                new Training.Call(1, "cafe.v1.Barista/Brew", Status.Code.OK, "0a056c61747465"),
                new Training.Request(2, "GET", "/q/health/ready", 200, null),
                new Training.Call(3, "cafe.v1.Barista/Brew", Status.Code.INVALID_ARGUMENT, ""));
        Training.Call brew = (Training.Call) training.requests().get(0);
        assertThat(brew.message()).containsExactly(0x0a, 0x05, 'l', 'a', 't', 't', 'e');
        assertThat(brew.expected()).isEqualTo("OK");
        assertThat(brew).hasToString("call cafe.v1.Barista/Brew");
    }

    @Test
    @DisplayName("rejects a gRPC call without a full method name, with an unknown status code or with bytes not in hex")
    void rejectsBadGrpcCalls() throws IOException {
        assertThat(refusal("call Brew OK\n")).isEqualTo("FILE:1: cannot read 'call Brew OK': name the method in full, "
                + "package.Service/Method (e.g. cafe.v1.Barista/Brew)");
        assertThat(refusal("call cafe.v1.Barista/Brew 200\n")).startsWith("FILE:1: cannot read 'call "
                + "cafe.v1.Barista/Brew 200': give the gRPC status code the call must answer by its name: one of [OK, "
                + "CANCELLED,");
        assertThat(refusal("call cafe.v1.Barista/Brew OK 0a0\n")).isEqualTo("FILE:1: cannot read 'call "
                + "cafe.v1.Barista/Brew OK 0a0': give the request message as its protobuf bytes in hex, two digits a "
                + "byte, or nothing for an empty message");
    }

    @Test
    @DisplayName("rejects rounds out of range and a file without requests")
    void rejectsNoRequestsAndBadRounds() throws IOException {
        assertThat(refusal("rounds 0\nGET / 200\n")).isEqualTo("FILE:1: cannot read 'rounds 0': rounds must be 1 to "
                + "10000");
        assertThat(refusal("env A=b\n")).startsWith("FILE: no requests;");
    }

    /** The message a file with this text is refused with, its path written as FILE. */
    private String refusal(String text) throws IOException {
        Path file = file(text);
        return assertThatThrownBy(() -> Training.read(file)).isInstanceOf(IllegalArgumentException.class)
                .actual().getMessage().replace(file.toString(), "FILE");
    }

    @Test
    @DisplayName("reads the stand-in gRPC server's replies and puts its port where an env line names it")
    void readsGrpcReplies() throws IOException {
        Training training = Training.read(file("""
                env LATTE_HOST=127.0.0.1
                env LATTE_PORT=${grpc-stand-in}
                env OTHER=${closed-port}
                grpc grpc.health.v1.Health/Check 0801
                grpc cafe.v1.Barista/Brew 0A056D6f636861
                POST /api/orders 201 {"drink":"mocha","size":"medium"}
                """));

        assertThat(training.grpcReplies()).containsOnlyKeys("grpc.health.v1.Health/Check", "cafe.v1.Barista/Brew");
        assertThat(training.grpcReplies().get("grpc.health.v1.Health/Check")).containsExactly(0x08, 0x01);
        assertThat(training.grpcReplies().get("cafe.v1.Barista/Brew"))
                .containsExactly(0x0a, 0x05, 'm', 'o', 'c', 'h', 'a');
        assertThat(training.env(41234, 41235)).isEqualTo(
                Map.of("LATTE_HOST", "127.0.0.1", "LATTE_PORT", "41235", "OTHER", "41234"));
    }

    @Test
    @DisplayName("rejects a grpc line without a full method name, with bytes that are not hex, or repeating a method")
    void rejectsBadGrpcLines() throws IOException {
        String env = "env LATTE_PORT=${grpc-stand-in}\nGET / 200\n";
        Path shortName = file(env + "grpc Check 0801\n");
        assertThatThrownBy(() -> Training.read(shortName)).hasMessage(shortName + ":3: cannot read 'grpc Check 0801': "
                + "name the method in full, package.Service/Method (e.g. grpc.health.v1.Health/Check)");

        Path oddHex = file(env + "grpc grpc.health.v1.Health/Check 081\n");
        assertThatThrownBy(() -> Training.read(oddHex)).hasMessageStartingWith(oddHex + ":3: cannot read "
                + "'grpc grpc.health.v1.Health/Check 081': give the reply as its protobuf bytes in hex");

        Path twice = file(env + "grpc grpc.health.v1.Health/Check 0801\ngrpc grpc.health.v1.Health/Check 0802\n");
        assertThatThrownBy(() -> Training.read(twice)).hasMessage(twice + ":4: cannot read "
                + "'grpc grpc.health.v1.Health/Check 0802': grpc.health.v1.Health/Check has a reply on an earlier line "
                + "already; keep one");
    }

    @Test
    @DisplayName("rejects a stand-in nothing points at, and a stand-in port with nothing to answer")
    void rejectsAStandInHalfConfigured() throws IOException {
        Path unused = file("grpc grpc.health.v1.Health/Check 0801\nGET / 200\n");
        assertThatThrownBy(() -> Training.read(unused)).hasMessageContaining("no env line points the service at it; "
                + "set the peer's port to ${grpc-stand-in}");

        Path silent = file("env LATTE_PORT=${grpc-stand-in}\nGET / 200\n");
        assertThatThrownBy(() -> Training.read(silent)).hasMessageContaining("names ${grpc-stand-in} but no 'grpc "
                + "package.Service/Method HEX' line says what the stand-in gRPC server answers");
    }
}
