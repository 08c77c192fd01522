package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.google.protobuf.CodedOutputStream;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import dev.cafestack.localrun.GrpcStandIn;

class OtlpSinkTest {

    @Test
    @DisplayName("the OTLP sink counts the spans of every scope of every resource, and ignores the other fields")
    void countsSpansAcrossResourcesAndScopes() throws IOException {
        byte[] span = message(out -> out.writeString(5, "GET /api/orders"));
        byte[] scopeWithTwo = message(out -> {
            out.writeByteArray(1, message(scope -> scope.writeString(1, "io.quarkus.opentelemetry")));
            out.writeByteArray(2, span);
            out.writeByteArray(2, span);
        });
        byte[] scopeWithOne = message(out -> out.writeByteArray(2, span));
        byte[] resource = message(out -> {
            out.writeByteArray(1, message(r -> r.writeString(1, "service.name=mocha")));
            out.writeByteArray(2, scopeWithTwo);
            out.writeByteArray(2, scopeWithOne);
        });
        byte[] request = message(out -> {
            out.writeByteArray(1, resource);
            out.writeByteArray(1, message(r -> r.writeByteArray(2, scopeWithOne)));
        });

        assertThat(OtlpSink.countSpans(request)).isEqualTo(4);
        assertThat(OtlpSink.countSpans(new byte[0])).isZero();
    }

    @Test
    @DisplayName("a request that is not valid protobuf counts as no export at all, not as zero spans")
    void malformedRequestIsInvalid() throws IOException {
        byte[] resource = message(out -> out.writeByteArray(2, message(scope -> {
            scope.writeByteArray(2, new byte[40]);
            scope.writeByteArray(2, new byte[40]);
        })));
        byte[] request = message(out -> out.writeByteArray(1, resource));

        assertThat(OtlpSink.countSpans(request)).isEqualTo(2);
        // Cut inside the last span, and exactly after the first (its nested messages then end before their lengths).
        assertThat(OtlpSink.countSpans(Arrays.copyOf(request, request.length - 10))).isEqualTo(-1);
        assertThat(OtlpSink.countSpans(Arrays.copyOf(request, request.length - 42))).isEqualTo(-1);
    }

    @Test
    @DisplayName("the OTLP sink answers exports of real size over gRPC with an empty response, counts their spans and "
            + "exports, refuses a malformed one, and measures its thread's CPU")
    void answersExportsOverGrpcAndCountsThem() throws Exception {
        // A span of about 600 bytes, as Quarkus' HTTP server spans are with their attributes: a batch of 128 is ~80 KiB.
        byte[] span = message(out -> {
            out.writeString(5, "POST /api/orders");
            for (int i = 0; i < 12; i++) {
                out.writeByteArray(9, message(kv -> kv.writeString(1, "http.request.header.x" + "-".repeat(20))));
            }
        });
        byte[] request = message(out -> out.writeByteArray(1, message(r -> r.writeByteArray(2, message(scope -> {
            for (int i = 0; i < 128; i++) {
                scope.writeByteArray(2, span);
            }
        })))));
        assertThat(request.length).isGreaterThan(64 * 1024);
        MethodDescriptor<byte[], byte[]> export = GrpcStandIn.unary(
                MethodDescriptor.generateFullMethodName(OtlpSink.SERVICE, "Export"));
        try (OtlpSink sink = new OtlpSink(0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sink.port()).usePlaintext().build();
            try {
                for (int i = 0; i < 20; i++) {
                    assertThat(ClientCalls.blockingUnaryCall(channel, export, CallOptions.DEFAULT, request)).isEmpty();
                }
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, export, CallOptions.DEFAULT,
                        Arrays.copyOf(request, request.length - 100)))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
            } finally {
                channel.shutdownNow();
            }
            assertThat(sink.exports()).isEqualTo(20);
            assertThat(sink.spans()).isEqualTo(20 * 128);
            assertThat(sink.cpuMillis()).isPositive();
        }
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writer.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
