package dev.cafestack.latte;

import dev.cafestack.tests.images.ServiceImageContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("latte's container image (built from a stand-in base image made by the test)")
class LatteImageIT extends ServiceImageContract {

    /** Loaded when latte writes a Prometheus scrape: its training run (src/main/appcds/training.txt) asked for one. */
    @Override
    protected String archivedRunClass() {
        return "io.prometheus.client.exporter.common.TextFormat";
    }
}
