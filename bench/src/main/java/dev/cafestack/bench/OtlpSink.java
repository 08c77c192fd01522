package dev.cafestack.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A local stand-in for the trace collector, serving OTLP on both of its transports as Jaeger does: over gRPC
 * ({@code TraceService/Export}), which the services export with, and over HTTP ({@code POST /v1/traces}, binary
 * protobuf, gzip or not), for an ablation that exports the other way. It counts the spans it receives and drops them.
 * <p>
 * A collector runs on other nodes than the services; this one shares the bench's two cores with them, so it does as
 * little as it can: one thread ({@value #THREAD}) accepts, reads and answers every export on both ports, the spans are
 * counted in the request's buffer (no nested message copied, nothing kept), and that thread's CPU time is measured,
 * for the bench to print. An export that is not a valid request is refused (HTTP 400, gRPC {@code INVALID_ARGUMENT},
 * which the service's exporter logs) and not counted.
 */
final class OtlpSink implements AutoCloseable {

    static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";
    static final String THREAD = "otlp-sink";
    static final String HTTP_PATH = "/v1/traces";
    static final String PROTOBUF = "application/x-protobuf";

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

    private static final String NOT_AN_EXPORT = "not an OTLP ExportTraceServiceRequest";

    /** The largest export either port takes: a batch of the services' spans is about 80 KiB. */
    private static final int MAX_EXPORT = 64 << 20;

    private final EventLoopGroup loop;
    private final Server server;
    private final Channel http;
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong exports = new AtomicLong();
    private volatile Thread thread;

    /** Listens on 127.0.0.1: OTLP/gRPC on {@code grpcPort}, OTLP/HTTP on {@code httpPort} (0: any free port). */
    OtlpSink(int grpcPort, int httpPort) {
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
                    if (!accept(count)) {
                        reply.onError(Status.INVALID_ARGUMENT.withDescription(NOT_AN_EXPORT).asRuntimeException());
                        return;
                    }
                    reply.onNext(null);
                    reply.onCompleted();
                }))
                .build();
        HttpExport httpExport = new HttpExport();
        Server grpc = null;
        boolean started = false;
        try {
            try {
                grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", grpcPort))
                        .channelType(NioServerSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                        .directExecutor().addService(service).maxInboundMessageSize(MAX_EXPORT).build().start();
            } catch (IOException e) {
                throw new UncheckedIOException("OTLP sink cannot listen on 127.0.0.1:" + grpcPort + " (OTLP/gRPC)", e);
            }
            ChannelFuture bound = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpContentDecompressor(),
                                    new HttpObjectAggregator(MAX_EXPORT), httpExport);
                        }
                    }).bind("127.0.0.1", httpPort).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw new UncheckedIOException("OTLP sink cannot listen on 127.0.0.1:" + httpPort + " (OTLP/HTTP)",
                        bound.cause() instanceof IOException io ? io : new IOException(bound.cause()));
            }
            server = grpc;
            http = bound.channel();
            started = true;
        } finally {
            if (!started) {
                // Nothing left behind when the constructor throws: the port it had bound is free again, its thread gone.
                if (grpc != null) {
                    grpc.shutdownNow();
                }
                loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    int grpcPort() {
        return server.getPort();
    }

    int httpPort() {
        return ((InetSocketAddress) http.localAddress()).getPort();
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
        // Every shutdown started before any is awaited: an interrupt while waiting skips none of them.
        ChannelFuture httpClosed = http.close();
        server.shutdownNow();
        try {
            httpClosed.await(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * OTLP/HTTP with binary protobuf: {@code POST /v1/traces}, answered with an empty ExportTraceServiceResponse
     * (HTTP 200), as a collector answers a full success. Anything else is refused with the status that says what is
     * wrong and, as OTLP/HTTP has it, a {@code google.rpc.Status} whose message says why (plain text to a client that did
     * not send protobuf); a request the codecs could not read (its head, a corrupt gzip body) gets a 400 too, and its
     * connection is closed.
     */
    @ChannelHandler.Sharable
    private final class HttpExport extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String uri = request.uri();
            String path = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?'));
            String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            boolean protobuf = PROTOBUF.equalsIgnoreCase(String.valueOf(HttpUtil.getMimeType(type)).trim());
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = unreadable(request.protocolVersion(), request.decoderResult().cause());
            } else if (!path.equals(HTTP_PATH)) {
                response = refuse(request.protocolVersion(), protobuf, HttpResponseStatus.NOT_FOUND, 5,
                        "OTLP/HTTP traces are POSTed to " + HTTP_PATH + ", not " + path);
            } else if (!request.method().equals(HttpMethod.POST)) {
                response = refuse(request.protocolVersion(), protobuf, HttpResponseStatus.METHOD_NOT_ALLOWED, 12,
                        "POST an ExportTraceServiceRequest, not " + request.method());
                response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
            } else if (!protobuf) {
                response = refuse(request.protocolVersion(), false, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, 3,
                        "this sink reads binary protobuf (Content-Type: " + PROTOBUF + "), not "
                                + (type.isEmpty() ? "no content type" : type));
            } else if (!accept(countSpans(request.content()))) {
                response = refuse(request.protocolVersion(), true, HttpResponseStatus.BAD_REQUEST, 3, NOT_AN_EXPORT);
            } else {
                response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, PROTOBUF).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(response, keepAlive);
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** A body the aggregator never handed on (a corrupt gzip stream): a 400 that says so, then the connection closed. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ctx.channel().isActive()) {
                return;
            }
            FullHttpResponse response = unreadable(HttpVersion.HTTP_1_1, cause);
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private static FullHttpResponse unreadable(HttpVersion version, Throwable cause) {
            return refuse(version, false, HttpResponseStatus.BAD_REQUEST, 3, "unreadable request: " + cause);
        }

        /** A refusal: a google.rpc.Status (code, message) to a protobuf client, plain text to any other. */
        private static FullHttpResponse refuse(HttpVersion version, boolean protobuf, HttpResponseStatus status,
                int rpcCode, String why) {
            byte[] body;
            if (protobuf) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                try {
                    out.writeInt32(1, rpcCode);
                    out.writeString(2, why);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // a byte array does not fail
                }
                body = bytes.toByteArray();
            } else {
                body = (why + "\n").getBytes(StandardCharsets.UTF_8);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, protobuf ? PROTOBUF : "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }
    }

    /** Counts an export of {@code count} spans, from either port; false (nothing counted) when it was not valid. */
    private boolean accept(long count) {
        if (count < 0) {
            return false;
        }
        spans.addAndGet(count);
        exports.incrementAndGet();
        return true;
    }

    private static long countSpans(ByteBuf request) {
        return SPAN_COUNT.parse(new ByteBufInputStream(request.duplicate()));
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
