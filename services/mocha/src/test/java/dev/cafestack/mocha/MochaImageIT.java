package dev.cafestack.mocha;

import dev.cafestack.tests.images.ServiceImageContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("mocha's container image (built from a stand-in base image made by the test)")
class MochaImageIT extends ServiceImageContract {

    /** mocha is ready only while latte serves (LatteReadiness); its run here has no latte. */
    @Override
    protected boolean readyAlone() {
        return false;
    }

    /** Loaded when mocha answers an order's violations: its training run (src/main/appcds/training.txt) sent one. */
    @Override
    protected String archivedRunClass() {
        return "dev.cafestack.mocha.ApiError$Violation";
    }
}
