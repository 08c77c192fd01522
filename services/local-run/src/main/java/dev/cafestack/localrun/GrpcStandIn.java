package dev.cafestack.localrun;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * A gRPC server on 127.0.0.1 that answers each of its unary methods with fixed message bytes, whatever the request:
 * the peer of a service's training run ({@link Training}'s {@code grpc} lines), so that the service's calls succeed and
 * the path of a successful call (its HTTP/2 connection, the reply's parsing) is in the archive. Plaintext HTTP/2, as a
 * peer in the mesh is reached (the sidecars add mTLS). A method it was not given answers {@code UNIMPLEMENTED}.
 */
public final class GrpcStandIn implements AutoCloseable {

    /** A message as its bytes, unparsed. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * A unary method by its full name ({@code package.Service/Method}) whose messages are their protobuf bytes,
     * unparsed: for gRPC servers and clients that need no generated classes.
     */
    public static MethodDescriptor<byte[], byte[]> unary(String fullMethodName) {
        return MethodDescriptor.<byte[], byte[]>newBuilder(BYTES, BYTES).setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethodName).build();
    }

    private final Server server;
    /**
     * Its own event loops (the builder's default is a group shared by the JVM): {@link #close} ends them, which closes
     * every socket they hold. A terminated gRPC server alone can still hold its listening socket for a moment.
     */
    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private final Map<String, LongAdder> answered = new ConcurrentHashMap<>();

    private GrpcStandIn(Map<String, byte[]> replies) throws IOException {
        Map<String, ServerServiceDefinition.Builder> services = new LinkedHashMap<>();
        replies.forEach((fullMethodName, reply) -> {
            LongAdder count = answered.computeIfAbsent(fullMethodName, name -> new LongAdder());
            MethodDescriptor<byte[], byte[]> method = unary(fullMethodName);
            services.computeIfAbsent(MethodDescriptor.extractFullServiceName(fullMethodName),
                    ServerServiceDefinition::builder).addMethod(method, answering(reply, count));
        });
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .channelType(NioServerSocketChannel.class).bossEventLoopGroup(loops).workerEventLoopGroup(loops);
        services.values().forEach(service -> builder.addService(service.build()));
        try {
            server = builder.build().start();
        } catch (IOException | RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts a stand-in answering each method (full name, {@code package.Service/Method}) with its bytes. */
    public static GrpcStandIn start(Map<String, byte[]> replies) throws IOException {
        return new GrpcStandIn(replies);
    }

    public int port() {
        return server.getPort();
    }

    /** How many calls each method answered so far, by method name. */
    public Map<String, Long> answered() {
        Map<String, Long> out = new TreeMap<>();
        answered.forEach((method, count) -> out.put(method, count.sum()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        } finally {
            // Returns once the loops have ended: nothing of the stand-in listens any more.
            loops.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** Reads the one request, answers the fixed reply, closes with OK. */
    private static ServerCallHandler<byte[], byte[]> answering(byte[] reply, LongAdder count) {
        return (call, headers) -> {
            call.request(1);
            return new ServerCall.Listener<>() {
                private boolean replied;

                @Override
                public void onMessage(byte[] request) {
                    call.sendHeaders(new Metadata());
                    call.sendMessage(reply);
                    replied = true;
                }

                @Override
                public void onHalfClose() {
                    if (replied) {
                        count.increment();
                        call.close(Status.OK, new Metadata());
                    } else {
                        call.close(Status.INTERNAL.withDescription("a unary call without its request message"),
                                new Metadata());
                    }
                }
            };
        };
    }
}
