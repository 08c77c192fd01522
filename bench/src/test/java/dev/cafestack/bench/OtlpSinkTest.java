package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

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
        byte[] request = batchOf128();
        MethodDescriptor<byte[], byte[]> export = GrpcStandIn.unary(
                MethodDescriptor.generateFullMethodName(OtlpSink.SERVICE, "Export"));
        try (OtlpSink sink = new OtlpSink(0, 0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sink.grpcPort()).usePlaintext().build();
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

    @Test
    @DisplayName("the OTLP sink takes exports over HTTP as Quarkus' OTLP/HTTP exporter sends them (POST /v1/traces, protobuf, gzip or "
            + "not), answers each with an empty response, and counts their spans")
    void answersExportsOverHttpAndCountsThem() throws Exception {
        byte[] request = batchOf128();
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(request);
        }
        try (OtlpSink sink = new OtlpSink(0, 0)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI traces = URI.create("http://127.0.0.1:" + sink.httpPort() + "/v1/traces");
            for (int i = 0; i < 20; i++) {
                HttpRequest.Builder post = HttpRequest.newBuilder(traces).header("Content-Type", "application/x-protobuf");
                if (i % 2 == 1) {
                    post.header("Content-Encoding", "gzip").POST(BodyPublishers.ofByteArray(gzipped.toByteArray()));
                } else {
                    post.POST(BodyPublishers.ofByteArray(request));
                }
                HttpResponse<byte[]> answer = client.send(post.build(), BodyHandlers.ofByteArray());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
                assertThat(answer.body()).as("an empty ExportTraceServiceResponse: everything accepted").isEmpty();
            }
            assertThat(sink.exports()).isEqualTo(20);
            assertThat(sink.spans()).isEqualTo(20 * 128);
            assertThat(sink.cpuMillis()).isPositive();
        }
    }

    @Test
    @DisplayName("the OTLP sink refuses over HTTP what is not a binary protobuf export to /v1/traces, says why, and "
            + "counts none of it")
    void refusesWhatIsNotAnHttpExport() throws Exception {
        byte[] request = batchOf128();
        try (OtlpSink sink = new OtlpSink(0, 0)) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + sink.httpPort();
            HttpRequest.Builder protobuf = HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf");
            assertThat(client.send(protobuf.copy().POST(BodyPublishers.ofByteArray(Arrays.copyOf(request, request.length - 100)))
                    .build(), BodyHandlers.ofString())).satisfies(r -> {
                        assertThat(r.statusCode()).as("a cut request").isEqualTo(400);
                        assertThat(r.body()).contains("not an OTLP ExportTraceServiceRequest");
                    });
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .header("Content-Type", "application/json").POST(BodyPublishers.ofString("{}")).build(),
                    BodyHandlers.ofString())).satisfies(r -> {
                        assertThat(r.statusCode()).as("OTLP/HTTP's JSON encoding").isEqualTo(415);
                        assertThat(r.body()).contains("application/x-protobuf");
                    });
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v1/metrics"))
                    .header("Content-Type", "application/x-protobuf").POST(BodyPublishers.ofByteArray(request)).build(),
                    BodyHandlers.ofString())).satisfies(r -> {
                        assertThat(r.statusCode()).as("another signal").isEqualTo(404);
                        assertThat(r.body()).contains("/v1/traces");
                    });
            assertThat(client.send(protobuf.copy().GET().build(), BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            assertThat(sink.exports()).isZero();
            assertThat(sink.spans()).isZero();
        }
    }

    @Test
    @DisplayName("the OTLP sink refuses to start when one of its ports is taken, naming the port and the transport")
    void refusesATakenPort() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> new OtlpSink(0, taken.getLocalPort()).close())
                    .hasMessage("OTLP sink cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (OTLP/HTTP)");
            assertThatThrownBy(() -> new OtlpSink(taken.getLocalPort(), 0).close())
                    .hasMessage("OTLP sink cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (OTLP/gRPC)");
        }
    }

    /** A batch as the services export it: 128 spans of about 600 bytes (Quarkus' HTTP server spans), ~80 KiB. */
    static byte[] batchOf128() throws IOException {
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
        return request;
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
