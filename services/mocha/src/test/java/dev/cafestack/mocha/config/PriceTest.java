package dev.cafestack.mocha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class PriceTest {

    @Test
    @DisplayName("a price keeps the decimals it was written with, and its sign")
    void keepsItsDecimals() {
        assertThat(Price.valueOf("3.20").toPlainString()).isEqualTo("3.20");
        assertThat(Price.valueOf("3.2").toPlainString()).isEqualTo("3.2");
        assertThat(Price.valueOf("4").toPlainString()).isEqualTo("4");
        assertThat(Price.valueOf("0.05").toPlainString()).isEqualTo("0.05");
        assertThat(Price.valueOf("-1").toPlainString()).isEqualTo("-1");
        assertThat(Price.valueOf("-0.50").toPlainString()).isEqualTo("-0.50");
        assertThat(Price.valueOf("+2.105").toPlainString()).isEqualTo("2.105");
        assertThat(Price.valueOf("999999999.999999999").toPlainString()).isEqualTo("999999999.999999999");
    }

    @Test
    @DisplayName("a price reads every plain decimal a BigDecimal reads, and prints it as BigDecimal.toPlainString does")
    void readsWhatBigDecimalReads() {
        for (String text : new String[] {"3.20", "3.2", "4", "0.05", "-1", "-0.50", "+2.105", ".50", "3.", "007", "-0",
                "0000000001.5", " 3.20 ", "0", "999999999.999999999"}) {
            assertThat(Price.valueOf(text).toPlainString()).as(text)
                    .isEqualTo(new java.math.BigDecimal(text.trim()).toPlainString());
            assertThat(Price.valueOf(text).scale()).as(text).isEqualTo(new java.math.BigDecimal(text.trim()).scale());
        }
        assertThat(Price.valueOf("3.20").scale()).isEqualTo(2);
        assertThat(Price.valueOf("4").scale()).isZero();
    }

    @Test
    @DisplayName("prices compare by value, whatever their decimals; the sign says positive, zero or negative")
    void comparesByValue() {
        List<Price> sorted = Stream.of("3.5", "10", "3.40", "0.99", "3.4").map(Price::valueOf).sorted().toList();
        assertThat(sorted).extracting(Price::toPlainString).containsExactly("0.99", "3.40", "3.4", "3.5", "10");
        assertThat(Price.valueOf("3.4")).isEqualByComparingTo(Price.valueOf("3.40")).isNotEqualTo(Price.valueOf("3.40"));
        assertThat(Price.valueOf("3.40")).isEqualTo(Price.valueOf("3.40")).hasSameHashCodeAs(Price.valueOf("3.40"));
        assertThat(Price.valueOf("0.01").signum()).isEqualTo(1);
        assertThat(Price.valueOf("0.00").signum()).isZero();
        assertThat(Price.valueOf("-0.01").signum()).isEqualTo(-1);
    }

    @Test
    @DisplayName("anything but a plain decimal number is refused, naming the value and what a price looks like")
    void refusesWhatIsNotAPrice() {
        for (String text : new String[] {"three", "", "-", ".", "-.", "1e3", "3,20", "1.2.3", "3.2O", "- 1", "0x10",
                null}) {
            assertThatIllegalArgumentException().as(text).isThrownBy(() -> Price.valueOf(text))
                    .withMessage("'" + text + "' is not a price; write a decimal number such as 3.20");
        }
    }

    @Test
    @DisplayName("more than 9 digits before the point (leading zeros aside) or after it is refused, saying so")
    void refusesMoreDigitsThanItHolds() {
        for (String text : new String[] {"1234567890", "0.1234567890", "3.2000000000", "-1000000000"}) {
            assertThatIllegalArgumentException().as(text).isThrownBy(() -> Price.valueOf(text))
                    .withMessage("'" + text + "' is not a price mocha can hold: at most 9 digits before the point and 9"
                            + " after it");
        }
    }

    @Test
    @DisplayName("JSON carries a price as a number with its decimals")
    void writesJsonNumber() throws Exception {
        record Line(String drink, Price price) {
        }
        assertThat(new ObjectMapper().writeValueAsString(new Line("latte", Price.valueOf("4.00"))))
                .isEqualTo("{\"drink\":\"latte\",\"price\":4.00}");
    }
}
