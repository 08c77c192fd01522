package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GrpcStandInTest {

    private static byte[] call(ManagedChannel channel, String method, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, GrpcStandIn.unary(method),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    @Test
    @DisplayName("answers each of its methods with its bytes over plaintext HTTP/2 on 127.0.0.1, and counts the calls")
    void answersItsMethodsAndCountsThem() throws Exception {
        Map<String, byte[]> replies = new LinkedHashMap<>();
        replies.put("grpc.health.v1.Health/Check", new byte[] {0x08, 0x01});
        replies.put("cafe.v1.Barista/Brew", new byte[] {0x0a, 0x05, 'm', 'o', 'c', 'h', 'a'});
        replies.put("cafe.v1.Barista/Empty", new byte[0]);
        try (GrpcStandIn standIn = GrpcStandIn.start(replies)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", standIn.port()).usePlaintext().build();
            try {
                assertThat(call(channel, "cafe.v1.Barista/Brew", new byte[] {0x0a, 0x05, 'l', 'a', 't', 't', 'e'}))
                        .containsExactly(0x0a, 0x05, 'm', 'o', 'c', 'h', 'a');
                assertThat(call(channel, "cafe.v1.Barista/Brew", new byte[0])).hasSize(7);
                assertThat(call(channel, "grpc.health.v1.Health/Check", new byte[0])).containsExactly(0x08, 0x01);
                assertThat(call(channel, "cafe.v1.Barista/Empty", new byte[0])).isEmpty();

                assertThat(standIn.answered()).containsExactly(Map.entry("cafe.v1.Barista/Brew", 2L),
                        Map.entry("cafe.v1.Barista/Empty", 1L), Map.entry("grpc.health.v1.Health/Check", 1L));
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @DisplayName("answers UNIMPLEMENTED for a method it was not given")
    void refusesAnUnknownMethod() throws Exception {
        try (GrpcStandIn standIn = GrpcStandIn.start(Map.of("grpc.health.v1.Health/Check", new byte[] {0x08, 0x01}))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", standIn.port()).usePlaintext().build();
            try {
                assertThatThrownBy(() -> call(channel, "grpc.health.v1.Health/Watch", new byte[0]))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
                assertThatThrownBy(() -> call(channel, "cafe.v1.Barista/Brew", new byte[0]))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
                assertThat(standIn.answered()).containsExactly(Map.entry("grpc.health.v1.Health/Check", 0L));
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @DisplayName("stops listening when closed")
    void stopsListeningWhenClosed() throws Exception {
        GrpcStandIn standIn = GrpcStandIn.start(Map.of("grpc.health.v1.Health/Check", new byte[] {0x08, 0x01}));
        int port = standIn.port();
        standIn.close();

        assertThat(Listening.on(port)).as("something still listens on port %d", port).isFalse();
    }
}
