package io.comfygate.llm;

/**
 * One chat message in the OpenAI format: a role ({@code system}, {@code user}, {@code assistant},
 * …) and its text. Immutable.
 */
public record Message(String role, String content) {
  public Message {
    if (role == null || role.isBlank()) {
      throw new IllegalArgumentException("role must not be blank");
    }
    if (content == null) {
      throw new IllegalArgumentException("content must not be null");
    }
  }

  public static Message system(String content) {
    return new Message("system", content);
  }

  public static Message user(String content) {
    return new Message("user", content);
  }

  public static Message assistant(String content) {
    return new Message("assistant", content);
  }
}
