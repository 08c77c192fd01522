package dev.cafestack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;

import dev.cafestack.localrun.GrpcStandIn;

/**
 * A local stand-in for the trace collector: an OTLP/gRPC endpoint ({@code TraceService/Export}) that counts the
 * spans it receives and drops them. The services export to it exactly as they export to Jaeger in a cluster.
 */
final class OtlpSink implements AutoCloseable {

    static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

    private final Server server;
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong exports = new AtomicLong();

    OtlpSink(int port) {
        MethodDescriptor<byte[], byte[]> export = GrpcStandIn.unary(MethodDescriptor.generateFullMethodName(SERVICE,
                "Export"));
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(export, ServerCalls.asyncUnaryCall((request, reply) -> {
                    spans.addAndGet(countSpans(request));
                    exports.incrementAndGet();
                    reply.onNext(new byte[0]); // an empty ExportTraceServiceResponse: everything accepted
                    reply.onCompleted();
                }))
                .build();
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(service)
                    .maxInboundMessageSize(64 << 20).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("OTLP sink cannot listen on 127.0.0.1:" + port, e);
        }
    }

    int port() {
        return server.getPort();
    }

    long spans() {
        return spans.get();
    }

    long exports() {
        return exports.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2). */
    static long countSpans(byte[] request) {
        try {
            return count(CodedInputStream.newInstance(request), 0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long count(CodedInputStream in, int depth) throws IOException {
        long n = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            boolean nested = (depth == 0 && field == 1) || (depth == 1 && field == 2);
            if (depth == 2 && field == 2 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                n++;
                in.skipField(tag);
            } else if (nested && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                n += count(CodedInputStream.newInstance(in.readByteArray()), depth + 1);
            } else {
                in.skipField(tag);
            }
        }
        return n;
    }
}
