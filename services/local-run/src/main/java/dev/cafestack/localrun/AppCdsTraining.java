package dev.cafestack.localrun;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

/**
 * The class data training run of a packaged service (the root pom's app-cds execution): starts the packaged service
 * with {@code -XX:AOTCacheOutput} (JDK 25+: an AOT cache) or {@code -XX:ArchiveClassesAtExit} (before: an AppCDS
 * archive), the image's JVM flags and environment and its prod Deployment's env (what a pod runs, read from the build's
 * own sources), waits until it has started, sends its training requests (HTTP, and gRPC calls to the service's own
 * gRPC port: {@link Training.Call}), and stops it with SIGTERM, when the JVM writes the archive. The archive then holds
 * every class of the start (runtime init included, which Quarkus' own archive run, ending after static init, leaves
 * out) and of the requests.
 *
 * <p>Everything local: the service listens on 127.0.0.1 on free ports, its OTLP endpoint is a closed local port, and
 * the training file points the service's other outbound endpoints at {@value Training#CLOSED_PORT}, or a gRPC peer at
 * {@value Training#GRPC_STAND_IN}: a {@link GrpcStandIn} answering the file's {@code grpc} lines, so that the calls
 * succeed.
 *
 * <p>Arguments: {@code <service> <quarkus-app dir> <rendered prod manifest> <service pom.xml> <training file> <java>};
 * {@code <java>} is the JVM that runs the training and so writes the archive: the image's own ({@link ImageJvm}), the
 * only one that will use it.
 */
public final class AppCdsTraining {

    static final String ARCHIVE = "app-cds.jsa";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** SIGTERM to exit: a JDK 25 writes its AOT cache on the way out (a second JVM assembles it: seconds). */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String service;
    private final Path appDir;
    private final Path manifest;
    private final Path pom;
    private final Training training;
    private final Path java;
    private final PrintStream out;

    AppCdsTraining(String service, Path appDir, Path manifest, Path pom, Training training, Path java,
            PrintStream out) {
        this.service = service;
        this.appDir = appDir;
        this.manifest = manifest;
        this.pom = pom;
        this.training = training;
        this.java = java;
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: AppCdsTraining <service> <quarkus-app dir> <rendered prod manifest> <service pom.xml> "
                    + "<training file> <java>");
            System.exit(2);
        }
        try {
            Training training = Training.read(Path.of(args[4]));
            new AppCdsTraining(args[0], Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), training, Path.of(args[5]),
                    System.out).run();
        } catch (RuntimeException | IOException e) {
            System.err.println("app-cds training of " + args[0] + " failed: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** Runs the training; returns the archive written. Fails (and leaves no archive) if any step does not hold. */
    Path run() throws IOException, InterruptedException {
        Path archive = appDir.resolve(ARCHIVE);
        Files.deleteIfExists(archive);
        Path work = appDir.getParent().resolve("app-cds-training");
        Files.createDirectories(work);

        Deployments.Container container = Deployments.container(manifest, service);
        Deployments.Image image = Deployments.image(pom);
        List<String> flags = new ArrayList<>();
        for (String flag : image.jvmFlags()) {
            // The archive to use is the one this run writes; its log stays on, to show in the build's output.
            if (!flag.startsWith("-XX:SharedArchiveFile=") && !flag.startsWith("-Xlog:cds")) {
                flags.add(flag);
            }
        }
        flags.add("-XX:MaxRAM=" + container.memoryLimitBytes());
        flags.add("-XX:ActiveProcessorCount=" + container.cpus());
        String archiveFlag = archiveFlag(ImageJvm.featureRelease(ImageJvm.version(java).orElse("")));
        flags.add(archiveFlag);

        int[] ports = LocalPorts.free(3);
        int httpPort = ports[0];
        int grpcPort = ports[1];
        int closedPort = ports[2];
        Map<String, String> env = container.localEnvironment(image.environment(),
                work.resolve("mounts"), service + "-app-cds");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_GRPC_SERVER_HOST", "127.0.0.1");
        env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(grpcPort));
        env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + closedPort);

        // The peer the training file stands in for: its replies make the service's calls succeed in the run.
        GrpcStandIn standIn = training.grpcReplies().isEmpty() ? null : GrpcStandIn.start(training.grpcReplies());
        try {
            env.putAll(training.env(closedPort, standIn == null ? closedPort : standIn.port()));
            // Requests from the moment a pod would get them: once started, or, where its peers have a stand-in, once
            // ready (the readiness checks' calls have gone through, as in a pod behind a Service).
            String awaited = standIn == null ? "started" : "ready";
            long started = System.nanoTime();
            ServiceProcess process = ServiceProcess.start(service, java.toString(), flags, appDir, env,
                    work.resolve(service + ".log"));
            boolean written = false;
            try {
                String base = "http://127.0.0.1:" + httpPort;
                long readyMillis = process.awaitReady(base + "/q/health/" + awaited, START_TIMEOUT);
                Map<String, Integer> answered = new TreeMap<>();
                // The service's own gRPC server, for the file's call lines: one channel, as a client keeps one.
                ManagedChannel grpc = training.requests().stream().anyMatch(Training.Call.class::isInstance)
                        ? NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build() : null;
                try {
                    for (int round = 0; round < training.rounds(); round++) {
                        for (Training.Step step : training.requests()) {
                            String status = step instanceof Training.Call call ? call(grpc, call)
                                    : Integer.toString(send(base, (Training.Request) step));
                            if (!status.equals(step.expected())) {
                                throw new IllegalStateException(training.file() + ":" + step.line() + ": " + step
                                        + " answered " + status + ", not " + step.expected() + " (round " + (round + 1)
                                        + "); the service's output: " + process.log + "\n" + process.tail());
                            }
                            answered.merge(step + " " + status, 1, Integer::sum);
                        }
                    }
                } finally {
                    if (grpc != null) {
                        grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                    }
                }
                int exit = process.stop(STOP_TIMEOUT);
                // SIGTERM: Quarkus shuts down and the JVM exits with 143 (128 + 15), or 0; the archive is written on
                // the way.
                if (exit != 0 && exit != 143) {
                    throw new IllegalStateException(service + " exited with " + exit + " on SIGTERM; its output: "
                            + process.log + "\n" + process.tail());
                }
                if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
                    throw new IllegalStateException(service + " wrote no " + archive + " on exit; its output: "
                            + process.log + "\n" + process.tail());
                }
                written = true;
                out.printf(Locale.ROOT,
                        "app-cds training of %s: %s in %d ms, %d rounds of %s%s, archive %s (%s, %.1f MiB) in %.1f s%n",
                        service, awaited, readyMillis, training.rounds(), answered,
                        standIn == null ? "" : ", the stand-in gRPC peer answered " + standIn.answered(), archive,
                        archiveFlag.startsWith("-XX:AOTCacheOutput") ? "an AOT cache" : "an AppCDS archive",
                        Files.size(archive) / 1048576.0, (System.nanoTime() - started) / 1e9);
                return archive;
            } finally {
                process.stop();
                if (!written) {
                    Files.deleteIfExists(archive);
                }
            }
        } finally {
            if (standIn != null) {
                standIn.close();
            }
        }
    }

    /**
     * What the training JVM writes when it exits: from JDK 25 an AOT cache (JEP 483, 514, 515: the classes loaded and
     * linked ahead of time, with the run's method profiles), before it a dynamic AppCDS archive. The image's
     * {@code -XX:SharedArchiveFile} takes either.
     */
    static String archiveFlag(int featureRelease) {
        return (featureRelease >= 25 ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + ARCHIVE;
    }

    /** One unary call with the line's message bytes; returns the status code it ended with. */
    private static String call(ManagedChannel channel, Training.Call call) {
        try {
            ClientCalls.blockingUnaryCall(channel, GrpcStandIn.unary(call.method()),
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), call.message());
            return Status.Code.OK.name();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().name();
        }
    }

    private static int send(String base, Training.Request request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path()))
                .timeout(Duration.ofSeconds(30));
        if (request.body() != null) {
            builder.header("Content-Type", "application/json");
        }
        builder.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(request.body()));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
