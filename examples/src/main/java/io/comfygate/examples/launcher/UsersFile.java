package io.comfygate.examples.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The launcher's users: a file in Tomcat's {@code tomcat-users.xml} format, read by a
 * {@code MemoryRealm}. On first start the shipped example is copied with a random password for
 * each user.
 */
public final class UsersFile {
  /** The file's name in the working folder. */
  public static final String NAME = "launcher-users.xml";

  private static final String EXAMPLE = "launcher-users.example.xml";
  private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private UsersFile() {}

  /** One user as the file names it. */
  public record User(String name, String password, String roles) {
    @Override
    public String toString() {
      return "User[" + name + ", roles=" + roles + "]";
    }
  }

  /**
   * Creates {@code file} from the shipped example if it does not exist.
   *
   * @return true if it was created now
   */
  public static boolean ensure(Path file) {
    if (Files.exists(file)) {
      return false;
    }
    String text;
    try (InputStream in = UsersFile.class.getResourceAsStream(EXAMPLE)) {
      if (in == null) {
        throw new IllegalStateException("the launcher jar lacks " + EXAMPLE);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String user : List.of("alice", "bob", "admin")) {
      text = text.replace("@" + user + "@", randomPassword());
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".launcher-users", ".tmp");
      PosixFileAttributeView posix = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
      if (posix != null) {
        posix.setPermissions(PosixFilePermissions.fromString("rw-------"));
      }
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file, e);
    }
    return true;
  }

  /** The users in {@code file}, in file order. */
  public static List<User> read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      NodeList nodes = builder.parse(in).getElementsByTagName("user");
      List<User> users = new ArrayList<>();
      for (int i = 0; i < nodes.getLength(); i++) {
        Element e = (Element) nodes.item(i);
        String name = e.hasAttribute("username") ? e.getAttribute("username") : e.getAttribute("name");
        users.add(new User(name, e.getAttribute("password"), e.getAttribute("roles")));
      }
      return users;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  private static String randomPassword() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
