package io.comfygate.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.comfygate.internal.json.Json;
import io.comfygate.uploads.UploadId;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Checks one value against one {@link ParamSpec} and converts it to the JSON that goes into the
 * workflow. Shared by the template parser (a default must satisfy its own declaration) and by
 * binding (a caller's value must).
 */
final class ParamChecker {
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private ParamChecker() {}

  /** The converted value, or the reason it is refused (as a sentence fragment: "must be ..."). */
  static Result check(ParamSpec spec, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return Result.bad("must not be null");
    }
    switch (spec.type()) {
      case STRING:
        return checkString(spec, value);
      case INT:
        return checkInt(spec, value);
      case FLOAT:
        return checkFloat(spec, value);
      case BOOL:
        return value.isBoolean() ? Result.ok(BooleanNode.valueOf(value.booleanValue()))
            : Result.bad("must be true or false (got " + show(value) + ")");
      case CHOICE:
        return value.isTextual() && spec.choices().contains(value.textValue()) ? Result.ok(value)
            : Result.bad("must be one of " + spec.choices() + " (got " + show(value) + ")");
      case IMAGE:
        return value.isTextual() && UploadId.isWellFormed(value.textValue()) ? Result.ok(value)
            : Result.bad("must be the id of an uploaded image, from POST /api/v1/uploads (got " + show(value) + ")");
      default:
        throw new AssertionError(spec.type());
    }
  }

  private static Result checkString(ParamSpec spec, JsonNode value) {
    if (!value.isTextual()) {
      return Result.bad("must be a string (got " + show(value) + ")");
    }
    String text = value.textValue();
    if (spec.required() && text.isBlank()) {
      return Result.bad("must not be blank");
    }
    if (text.indexOf('\0') >= 0) {
      return Result.bad("must not contain NUL characters");
    }
    int length = text.codePointCount(0, text.length());
    if (spec.maxLength() != null && length > spec.maxLength()) {
      return Result.bad("is " + length + " characters long; at most " + spec.maxLength() + " allowed");
    }
    return Result.ok(TextNode.valueOf(text));
  }

  private static Result checkInt(ParamSpec spec, JsonNode value) {
    Optional<BigDecimal> number = exact(value);
    if (!value.isNumber()) {
      return Result.bad("must be a whole number (got " + show(value) + ")");
    }
    if (number.isEmpty()) {
      return notFinite(value);
    }
    BigDecimal n = number.get();
    if (!isWhole(n)) {
      return Result.bad("must be a whole number (got " + show(value) + ")");
    }
    Result range = checkRange(spec, n);
    if (range != null) {
      return range;
    }
    // Every integer input of a ComfyUI node is at most 64 bits; checked before any exact
    // conversion, which for 1e2147483647 would build a number of two billion digits.
    if (n.compareTo(LONG_MIN) < 0 || n.compareTo(LONG_MAX) > 0) {
      return Result.bad("must be between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + " (got " + shown(n) + ")");
    }
    if (spec.multipleOf() != null && n.remainder(BigDecimal.valueOf(spec.multipleOf())).signum() != 0) {
      return Result.bad("must be a multiple of " + spec.multipleOf() + " (got " + shown(n) + ")");
    }
    return Result.ok(LongNode.valueOf(n.longValueExact()));
  }

  private static Result checkFloat(ParamSpec spec, JsonNode value) {
    if (!value.isNumber()) {
      return Result.bad("must be a number (got " + show(value) + ")");
    }
    Optional<BigDecimal> number = exact(value);
    if (number.isEmpty()) {
      return notFinite(value);
    }
    Result range = checkRange(spec, number.get());
    if (range != null) {
      return range;
    }
    double d = number.get().doubleValue();
    if (Double.isInfinite(d)) {
      return notFinite(value);
    }
    if (d == 0 && number.get().signum() != 0) {
      return Result.bad("is too close to 0 to be sent as a number (got " + show(value) + ")");
    }
    return Result.ok(DoubleNode.valueOf(d));
  }

  private static Result checkRange(ParamSpec spec, BigDecimal n) {
    if (spec.min() != null && n.compareTo(spec.min()) < 0) {
      return Result.bad("must be at least " + spec.min().toPlainString() + " (got " + shown(n) + ")");
    }
    if (spec.max() != null && n.compareTo(spec.max()) > 0) {
      return Result.bad("must be at most " + spec.max().toPlainString() + " (got " + shown(n) + ")");
    }
    return null;
  }

  /**
   * The number's exact value; empty for a double that is not finite (a JSON {@code 1e309} read as
   * a double is infinity, and infinity has no decimal value).
   */
  private static Optional<BigDecimal> exact(JsonNode value) {
    if (!value.isNumber()) {
      return Optional.empty();
    }
    if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
      return Optional.empty();
    }
    return Optional.of(value.decimalValue());
  }

  /** Whole, also when written as 512.0; decided on the scale, never by expanding the digits. */
  private static boolean isWhole(BigDecimal n) {
    return n.signum() == 0 || n.stripTrailingZeros().scale() <= 0;
  }

  private static Result notFinite(JsonNode value) {
    return Result.bad("must be a finite number no larger than " + Double.MAX_VALUE + " (got " + show(value) + ")");
  }

  /** A number as a message shows it: plain when short, else in scientific notation (1E+309), never huge. */
  private static String shown(BigDecimal n) {
    boolean small = n.scale() >= -40 && n.scale() <= 40 && n.precision() <= 40;
    String text = small ? n.toPlainString() : n.toString();
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  /** A value as an error message shows it: short, and never the whole of a huge string. */
  static String show(JsonNode value) {
    String text = Json.write(value);
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  /** Either a converted value or a reason. */
  record Result(JsonNode value, String problem) {
    static Result ok(JsonNode value) {
      return new Result(value, null);
    }

    static Result bad(String problem) {
      return new Result(null, problem);
    }

    boolean isOk() {
      return problem == null;
    }
  }
}
