package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.google.protobuf.CodedOutputStream;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
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
    @DisplayName("the OTLP sink answers every export over gRPC with an empty response, and counts its spans and exports")
    void answersExportsOverGrpcAndCountsThem() throws Exception {
        byte[] span = message(out -> out.writeString(5, "POST /api/orders"));
        byte[] request = message(out -> out.writeByteArray(1, message(r -> r.writeByteArray(2, message(scope -> {
            for (int i = 0; i < 128; i++) {
                scope.writeByteArray(2, span);
            }
        })))));
        MethodDescriptor<byte[], byte[]> export = GrpcStandIn.unary(
                MethodDescriptor.generateFullMethodName(OtlpSink.SERVICE, "Export"));
        try (OtlpSink sink = new OtlpSink(0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sink.port()).usePlaintext().build();
            try {
                for (int i = 0; i < 3; i++) {
                    assertThat(ClientCalls.blockingUnaryCall(channel, export, CallOptions.DEFAULT, request))
                            .isEmpty();
                }
            } finally {
                channel.shutdownNow();
            }
            assertThat(sink.exports()).isEqualTo(3);
            assertThat(sink.spans()).isEqualTo(3 * 128);
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
