package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import dev.cafestack.localrun.GrpcStandIn;
import dev.cafestack.localrun.LocalPorts;

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
                    assertThat(ClientCalls.blockingUnaryCall(channel, export, deadline(), request)).isEmpty();
                }
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, export, deadline(),
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
    @DisplayName("the OTLP sink takes exports over HTTP as Quarkus' OTLP/HTTP exporter sends them (POST /v1/traces, "
            + "protobuf, gzip or not), answers each with an empty response, and counts their spans")
    void answersExportsOverHttpAndCountsThem() throws Exception {
        byte[] request = batchOf128();
        byte[] gzipped = gzip(request);
        try (OtlpSink sink = new OtlpSink(0, 0)) {
            URI traces = URI.create("http://127.0.0.1:" + sink.httpPort() + "/v1/traces");
            for (int i = 0; i < 20; i++) {
                HttpRequest.Builder post = post(traces, "application/x-protobuf");
                if (i % 2 == 1) {
                    post.header("Content-Encoding", "gzip").POST(BodyPublishers.ofByteArray(gzipped));
                } else {
                    post.POST(BodyPublishers.ofByteArray(request));
                }
                HttpResponse<byte[]> answer = HTTP.send(post.build(), BodyHandlers.ofByteArray());
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
    @DisplayName("the OTLP sink answers one export after another on the same kept-alive HTTP connection")
    void keepsTheHttpConnectionAlive() throws Exception {
        byte[] request = batchOf128();
        try (OtlpSink sink = new OtlpSink(0, 0);
                Socket socket = new Socket("127.0.0.1", sink.httpPort())) {
            socket.setSoTimeout(10_000);
            byte[] head = ("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                    + "Content-Length: " + request.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write(head);
                socket.getOutputStream().write(request);
                String answer = responseHead(in);
                assertThat(answer).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("content-length: 0")
                        .doesNotContainIgnoringCase("connection: close");
            }
            assertThat(sink.exports()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("the OTLP sink refuses over HTTP what is not a binary protobuf export to /v1/traces, says why (a "
            + "google.rpc.Status to a protobuf client), and counts none of it")
    void refusesWhatIsNotAnHttpExport() throws Exception {
        byte[] request = batchOf128();
        try (OtlpSink sink = new OtlpSink(0, 0)) {
            URI traces = URI.create("http://127.0.0.1:" + sink.httpPort() + "/v1/traces");
            HttpResponse<byte[]> cut = HTTP.send(post(traces, "application/x-protobuf")
                    .POST(BodyPublishers.ofByteArray(Arrays.copyOf(request, request.length - 100))).build(),
                    BodyHandlers.ofByteArray());
            assertThat(cut.statusCode()).as("a cut request").isEqualTo(400);
            assertThat(cut.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
            assertThat(status(cut.body())).isEqualTo("3: not an OTLP ExportTraceServiceRequest");

            HttpResponse<byte[]> metrics = HTTP.send(post(traces.resolve("/v1/metrics"), "application/x-protobuf")
                    .POST(BodyPublishers.ofByteArray(request)).build(), BodyHandlers.ofByteArray());
            assertThat(metrics.statusCode()).as("another signal").isEqualTo(404);
            assertThat(status(metrics.body())).isEqualTo("5: OTLP/HTTP traces are POSTed to /v1/traces, not /v1/metrics");

            HttpResponse<byte[]> get = HTTP.send(post(traces, "application/x-protobuf").GET().build(),
                    BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).hasValue("POST");
            assertThat(status(get.body())).isEqualTo("12: POST an ExportTraceServiceRequest, not GET");

            HttpResponse<String> json = HTTP.send(post(traces, "application/json").POST(BodyPublishers.ofString("{}")).build(),
                    BodyHandlers.ofString());
            assertThat(json.statusCode()).as("OTLP/HTTP's JSON encoding").isEqualTo(415);
            assertThat(json.body()).contains("Content-Type: application/x-protobuf").contains("not application/json");

            byte[] corrupt = gzip(request);
            corrupt[corrupt.length / 2] ^= 0x5a;
            HttpResponse<String> broken = HTTP.send(post(traces, "application/x-protobuf").header("Content-Encoding", "gzip")
                    .POST(BodyPublishers.ofByteArray(corrupt)).build(), BodyHandlers.ofString());
            assertThat(broken.statusCode()).as("a corrupt gzip body").isEqualTo(400);
            assertThat(broken.body()).startsWith("unreadable request: ");

            assertThat(sink.exports()).isZero();
            assertThat(sink.spans()).isZero();
        }
    }

    @Test
    @DisplayName("the OTLP sink refuses to start when one of its ports is taken, naming the port and the transport, and "
            + "leaves nothing behind: its other port free again, its thread gone")
    void refusesATakenPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int other = LocalPorts.free(1)[0];
            assertThatThrownBy(() -> new OtlpSink(other, taken.getLocalPort()).close())
                    .hasMessage("OTLP sink cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (OTLP/HTTP)");
            assertThat(bindable(other)).as("the gRPC port it had bound, released before the constructor threw").isTrue();
            assertThatThrownBy(() -> new OtlpSink(taken.getLocalPort(), 0).close())
                    .hasMessage("OTLP sink cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (OTLP/gRPC)");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sinkThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(sinkThreads()).as("live " + OtlpSink.THREAD + " threads").isZero();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static HttpRequest.Builder post(URI uri, String contentType) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", contentType);
    }

    /** A google.rpc.Status as "code: message". */
    private static String status(byte[] body) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        int code = -1;
        String message = null;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> code = in.readInt32();
                case 2 -> message = in.readString();
                default -> in.skipField(tag);
            }
        }
        return code + ": " + message;
    }

    /** The status line and headers of one HTTP response with no body (the sink's answers to exports). */
    private static String responseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long sinkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(OtlpSink.THREAD)).count();
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
