package dev.cafestack.localrun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;

/**
 * A base image in a registry, saved as a {@code docker save} archive so that {@link ImageJvm} can run its JVM: pulled
 * with Jib's library, as the Jib Maven plugin pulls it for the image (the same credentials: the Docker configuration's
 * {@code auths} and {@code credHelpers}, e.g. {@code ecr-login} for ECR, and the well-known credential helpers; the same
 * base layer cache, so the image build does not fetch the layers again), for the platform the images are built for.
 * A base pinned by digest is pulled once and kept; one named by tag is pulled again each build, as its tag may move,
 * and its saved file is replaced only when the image it names has changed.
 */
final class RegistryBase {

    /** The images' platform: Jib's default, which the root pom keeps. */
    static final Platform PLATFORM = new Platform("amd64", "linux");

    /** How long the registry may take to accept a connection before the build goes on without pulling. */
    static final Duration CONNECT = Duration.ofSeconds(3);

    private RegistryBase() {
    }

    /** Why a base could not be had; the build goes on with its own JVM and says this. */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The base as a {@code docker save} archive under {@code cacheRoot/pulled/}: the kept one for a digest, else freshly
     * pulled. {@code reference} is {@code cafe.image.base} without a {@code registry://} prefix.
     */
    static Path save(String reference, Path cacheRoot) throws Unavailable, IOException {
        ImageReference image;
        try {
            image = ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("cafe.image.base '" + reference + "' is not an image reference: give "
                    + "registry/repository:tag@sha256:<digest> (or tar:///path/base.tar)", e);
        }
        Path dir = Files.createDirectories(cacheRoot.resolve("pulled"));
        Path saved = dir.resolve(fileName(image));
        if (image.getDigest().isPresent() && Files.isRegularFile(saved)) {
            return saved;
        }
        String registry = image.getRegistry();
        reachable(registry);
        Path partial = Files.createTempFile(dir, "pull-", ".tar.partial");
        try {
            RegistryImage from = RegistryImage.named(image);
            CredentialRetrieverFactory credentials = CredentialRetrieverFactory.forImage(image, event -> { });
            from.addCredentialRetriever(credentials.dockerConfig());
            from.addCredentialRetriever(credentials.wellKnownCredentialHelpers());
            TarImage tar = TarImage.at(partial).named(ImageReference.of(null, "cafe-image-jvm/base", "latest"));
            Containerizer to = Containerizer.to(tar)
                    .setToolName("cafe-stack ImageJvm")
                    // A registry on this machine (a mirror, a test's) speaks plain HTTP; any other must use TLS.
                    .setAllowInsecureRegistries(loopback(registry))
                    .setApplicationLayersCache(Files.createDirectories(dir.resolve("jib-application-layers")));
            Jib.from(from).setPlatforms(Set.of(PLATFORM)).containerize(to);
            // A tag that still names the same image: the saved file stays as it was, and with it ImageJvm's
            // extraction (cached by the file's path, size and time) instead of a new copy of the base each build.
            if (!Files.isRegularFile(saved) || Files.mismatch(partial, saved) != -1) {
                Files.move(partial, saved, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return saved;
        } catch (RegistryException | ExecutionException | CacheDirectoryCreationException e) {
            throw new Unavailable("cannot be pulled from " + registry + " (" + rootMessage(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("was not pulled (interrupted)", e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Fails fast when nothing answers on the registry's port, as on a machine without a route to it: Jib would wait for
     * its HTTP timeouts. Resolving the name can hang too, so both run in the background for at most {@link #CONNECT}.
     */
    private static void reachable(String registry) throws Unavailable {
        String host = host(registry);
        int port = registry.matches(".*:[0-9]+$") ? Integer.parseInt(registry.replaceFirst("^.*:", "")) : 443;
        CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new IllegalStateException("no address for " + host);
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, (int) CONNECT.toMillis());
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
        });
        try {
            connect.get(CONNECT.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connect.cancel(true);
            throw new Unavailable("cannot be pulled (" + host + ":" + port + " did not answer within "
                    + CONNECT.toSeconds() + " s)", e);
        } catch (ExecutionException e) {
            throw new Unavailable("cannot be pulled (" + host + ":" + port + " unreachable: " + rootMessage(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("was not pulled (interrupted)", e);
        }
    }

    static boolean loopback(String registry) {
        String host = host(registry);
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    /** A registry's host: its {@code host[:port]} without the port. */
    private static String host(String registry) {
        return registry.replaceFirst(":[0-9]+$", "");
    }

    /** A readable, unique file name for a reference: its repository and tag or digest, and a hash of the whole. */
    private static String fileName(ImageReference image) {
        String readable = image.getRepository() + "-" + image.getQualifier();
        return ImageJvm.cacheName(readable.substring(0, Math.min(readable.length(), 80)), image.toString()) + ".tar";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
