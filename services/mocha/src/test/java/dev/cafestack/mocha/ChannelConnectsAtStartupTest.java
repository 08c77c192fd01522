package dev.cafestack.mocha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * mocha connects its one channel to latte while it starts, so the first readiness check and the first order do not
 * pay for the connection (the readiness check is what lets a new pod take traffic).
 */
@QuarkusTest
@TestProfile(ChannelConnectsAtStartupTest.FreshStart.class)
@QuarkusTestResource(LatteProcess.class)
class ChannelConnectsAtStartupTest {

    /** A profile of its own: the application starts for this class alone, and nothing has called latte before. */
    public static class FreshStart implements QuarkusTestProfile {
    }

    @GrpcClient("latte")
    Channel channel;

    @Test
    @DisplayName("the channel to latte is connected after startup, before any request has reached mocha")
    void connectsTheChannelToLatteAtStartup() throws InterruptedException {
        ManagedChannel managed = assertInstanceOf(ManagedChannel.class, channel);
        // getState(false) only looks: it does not connect an idle channel itself.
        ConnectivityState state = managed.getState(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (state != ConnectivityState.READY && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = managed.getState(false);
        }
        assertEquals(ConnectivityState.READY, state, "the channel to latte after startup");
    }
}
