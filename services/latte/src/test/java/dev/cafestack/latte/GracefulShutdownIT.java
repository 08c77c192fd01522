package dev.cafestack.latte;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;

import dev.cafestack.api.v1.BaristaGrpc;
import dev.cafestack.api.v1.BrewReply;
import dev.cafestack.api.v1.BrewRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;

/**
 * Kubernetes stops a pod with SIGTERM while calls may still arrive (endpoint removal lags): the packaged latte,
 * under a steady load of 64 calls in flight that goes on for 3 s after the signal, must not fail one of them, and
 * must then exit by itself (its drain window is quarkus.shutdown.delay).
 */
class GracefulShutdownIT {

    @TempDir
    Path dir;

    @Test
    @DisplayName("on SIGTERM latte keeps answering through its drain window, fails no call, then exits by itself")
    void drainsOnSigterm() throws Exception {
        int port = freePort();
        int httpPort = freePort();
        Process latte = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.grpc.server.port=" + port, "-Dquarkus.http.port=" + httpPort,
                "-jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("latte.log").toFile()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            awaitReady(latte, httpPort);
            BaristaGrpc.BaristaFutureStub stub = BaristaGrpc.newFutureStub(channel);
            BrewRequest request = BrewRequest.newBuilder().setDrink("latte").setSize("small").build();
            Semaphore inFlight = new Semaphore(64);
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            boolean signalled = false;
            // Load for 1 s, SIGTERM, load for 3 s more (the endpoints are being removed), then the calls stop.
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)) {
                if (!signalled && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(1)) {
                    latte.destroy(); // SIGTERM, as the kubelet sends it
                    signalled = true;
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                String phase = signalled ? "after SIGTERM" : "before SIGTERM";
                Futures.addCallback(stub.withDeadlineAfter(5, TimeUnit.SECONDS).brew(request), new FutureCallback<BrewReply>() {
                    @Override
                    public void onSuccess(BrewReply reply) {
                        count(outcomes, "OK " + phase);
                        inFlight.release();
                    }

                    @Override
                    public void onFailure(Throwable failure) {
                        Status status = Status.fromThrowable(failure);
                        count(outcomes, status.getCode() + " " + phase + ": " + status.getDescription());
                        inFlight.release();
                    }
                }, MoreExecutors.directExecutor());
            }
            assertThat(inFlight.tryAcquire(64, 10, TimeUnit.SECONDS)).as("every call answered").isTrue();

            assertThat(outcomes.keySet()).as("outcomes %s", outcomes).containsOnly("OK before SIGTERM", "OK after SIGTERM");
            assertThat(outcomes.get("OK after SIGTERM").get()).as("calls served after the signal").isPositive();
            channel.shutdownNow();
            assertThat(latte.waitFor(30, TimeUnit.SECONDS)).as("latte exits after its drain window; its log:\n%s",
                    Files.readString(dir.resolve("latte.log"))).isTrue();
        } finally {
            channel.shutdownNow();
            latte.destroyForcibly();
        }
    }

    private static void count(Map<String, AtomicInteger> outcomes, String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void awaitReady(Process latte, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && latte.isAlive()) {
            try {
                HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready")
                        .toURL().openConnection();
                if (http.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("latte did not become ready");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
