package dev.cafestack.mocha;

/** The body of {@code POST /api/orders}. Checked by {@link Menu#check(OrderRequest)}. */
public record OrderRequest(String drink, String size, String notes) {
}
