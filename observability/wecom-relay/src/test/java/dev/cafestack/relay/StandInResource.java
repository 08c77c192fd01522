package dev.cafestack.relay;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the WeCom stand-in (real clock) for @QuarkusTest and points the relay at it. */
public class StandInResource implements QuarkusTestResourceLifecycleManager {

    static WeComStandIn robot;

    @Override
    public Map<String, String> start() {
        robot = new WeComStandIn(Clock.systemUTC(), Set.of(SimulatedRelay.OPS_KEY, SimulatedRelay.TEAM_KEY));
        return Map.of("relay.wecom.url", robot.url());
    }

    @Override
    public void stop() {
        robot.close();
    }
}
