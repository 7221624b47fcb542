package io.comfygate.config;

import java.util.regex.Pattern;

/**
 * Passwords written into a URL ({@code ?password=…}, {@code //user:password@host}): found, so that a
 * setting can refuse one, and masked, so that a refused value can still be shown.
 */
final class Secrets {
  private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;]*");
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");

  private Secrets() {}

  static boolean hasUrlPassword(String text) {
    return QUERY_PASSWORD.matcher(text).find() || USER_INFO_PASSWORD.matcher(text).find();
  }

  static String maskUrlPassword(String text) {
    String masked = QUERY_PASSWORD.matcher(text).replaceAll("$1****");
    return USER_INFO_PASSWORD.matcher(masked).replaceAll("$1****@");
  }
}
