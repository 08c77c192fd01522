package dev.cafestack.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A local stand-in for the trace collector: an OTLP/gRPC endpoint ({@code TraceService/Export}) that counts the
 * spans it receives and drops them. The services export to it exactly as they export to Jaeger in a cluster.
 * <p>
 * A collector runs on other nodes than the services; this one shares the bench's two cores with them, so it does as
 * little as it can: one thread ({@value #THREAD}) accepts, reads and answers every export, the spans are counted in
 * gRPC's buffer of the request (no nested message copied, nothing kept), and that thread's CPU time is measured, for
 * the bench to print. An export that is not a valid request is refused ({@code INVALID_ARGUMENT}, which the
 * service's exporter logs) and not counted.
 */
final class OtlpSink implements AutoCloseable {

    static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";
    static final String THREAD = "otlp-sink";

    /** An ExportTraceServiceRequest, read as the number of spans it holds; -1 when it is not a valid one. */
    private static final MethodDescriptor.Marshaller<Long> SPAN_COUNT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Long spans) {
            throw new UnsupportedOperationException("the sink only receives exports");
        }

        @Override
        public Long parse(InputStream request) {
            try {
                return count(CodedInputStream.newInstance(request), 0);
            } catch (IOException e) {
                return -1L;
            }
        }
    };

    /** An empty ExportTraceServiceResponse: everything accepted. */
    private static final MethodDescriptor.Marshaller<Void> EMPTY = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Void nothing) {
            return InputStream.nullInputStream();
        }

        @Override
        public Void parse(InputStream stream) {
            return null;
        }
    };

    private final EventLoopGroup loop;
    private final Server server;
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong exports = new AtomicLong();
    private volatile Thread thread;

    OtlpSink(int port) {
        ThreadFactory netty = new DefaultThreadFactory(THREAD, true);
        loop = new NioEventLoopGroup(1, r -> {
            Thread t = netty.newThread(r);
            thread = t;
            return t;
        });
        MethodDescriptor<Long, Void> export = MethodDescriptor.<Long, Void>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
                .setRequestMarshaller(SPAN_COUNT)
                .setResponseMarshaller(EMPTY)
                .build();
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(export, ServerCalls.asyncUnaryCall((count, reply) -> {
                    if (count < 0) {
                        reply.onError(Status.INVALID_ARGUMENT
                                .withDescription("not an OTLP ExportTraceServiceRequest").asRuntimeException());
                        return;
                    }
                    spans.addAndGet(count);
                    exports.incrementAndGet();
                    reply.onNext(null);
                    reply.onCompleted();
                }))
                .build();
        boolean started = false;
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .channelType(NioServerSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                    .directExecutor().addService(service).maxInboundMessageSize(64 << 20).build().start();
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException("OTLP sink cannot listen on 127.0.0.1:" + port, e);
        } finally {
            if (!started) {
                loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
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

    /** CPU time the sink's thread has used so far, in milliseconds, while the sink runs (0 once it is closed). */
    long cpuMillis() {
        Thread t = thread;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = t == null ? -1 : threads.getThreadCpuTime(t.getId());
        return nanos < 0 ? 0 : nanos / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /** ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2); -1 when it is not valid. */
    static long countSpans(byte[] request) {
        return SPAN_COUNT.parse(new ByteArrayInputStream(request));
    }

    private static long count(CodedInputStream in, int depth) throws IOException {
        long n = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (depth == 2 && field == 2 && delimited) {
                n++;
                in.skipField(tag);
            } else if (delimited && ((depth == 0 && field == 1) || (depth == 1 && field == 2))) {
                int limit = in.pushLimit(in.readRawVarint32());
                n += count(in, depth + 1);
                if (in.getBytesUntilLimit() > 0) {
                    throw new IOException("a nested message ends before its length"); // the request was cut short
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return n;
    }
}
