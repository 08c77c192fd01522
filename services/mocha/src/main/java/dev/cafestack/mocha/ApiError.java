package dev.cafestack.mocha;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error mocha answers with: a stable code, a sentence, and for bad input the fields at fault. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(String error, String message, List<Violation> violations) {

    public record Violation(String field, String reason) {
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, List.of());
    }
}
