package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public abstract class TrashPurgerContract extends StoreContractSupport {
  private Path outputs;
  private TrashPurger purger;

  @BeforeEach
  void open() throws Exception {
    outputs = Files.createDirectories(stores().dir().resolve("outputs"));
    purger = new TrashPurger(imageStore(), outputs);
  }


  @Test
  void purgeAllRemovesTrashedFilesThenRowsAndCountsBytes() throws Exception {
    StoredImage trashed = trashed("alice", 100, 500);
    StoredImage kept = insertImage("alice", at(200));
    writeFile(trashed, 300);
    writeFile(kept, 70);

    PurgeResult result = purger.purgeAll();

    assertThat(result.purged()).isEqualTo(1);
    assertThat(result.bytesFreed()).isEqualTo(300);
    assertThat(result.failures()).isEmpty();
    assertThat(Files.exists(outputs.resolve(trashed.file()))).isFalse();
    assertThat(imageStore().find(trashed.id())).isEmpty();
    assertThat(Files.exists(outputs.resolve(kept.file()))).isTrue();
    assertThat(imageStore().find(kept.id())).isPresent();
  }

  @Test
  void aFileAlreadyMissingIsNotAnError() {
    StoredImage trashed = trashed("alice", 100, 500);

    PurgeResult result = purger.purgeAll();

    assertThat(result.purged()).isEqualTo(1);
    assertThat(result.bytesFreed()).isZero();
    assertThat(imageStore().find(trashed.id())).isEmpty();
  }

  @Test
  void aFileThatCannotBeDeletedKeepsItsRowAndIsReported() throws Exception {
    StoredImage stuck = trashed("alice", 100, 500);
    StoredImage fine = trashed("alice", 200, 600);
    // A non-empty directory where the file should be: deleting it fails on every OS, even as root.
    Files.createDirectories(outputs.resolve(stuck.file()).resolve("child"));
    writeFile(fine, 10);

    PurgeResult result = purger.purgeAll();

    assertThat(result.purged()).isEqualTo(1);
    assertThat(result.failures()).singleElement().satisfies(failure -> {
      assertThat(failure.imageId()).isEqualTo(stuck.id());
      assertThat(failure.file()).isEqualTo(stuck.file());
      assertThat(failure.reason()).contains("cannot delete");
    });
    assertThat(imageStore().find(stuck.id())).isPresent();
    assertThat(imageStore().find(fine.id())).isEmpty();
  }

  @Test
  void aStoredPathThatEscapesTheOutputDirectoryIsRefused() throws Exception {
    StoredImage image = trashed("alice", 100, 500);
    Path outside = Files.writeString(stores().dir().resolve("precious.txt"), "keep me");
    // Only a corrupted or hand-edited row can hold such a path: NewImage refuses it.
    stores().db().inTransaction("test", c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE images SET file = ? WHERE id = ?")) {
        s.setString(1, "../precious.txt");
        s.setString(2, image.id().value());
        return s.executeUpdate();
      }
    });

    PurgeResult result = purger.purgeAll();

    assertThat(result.purged()).isZero();
    assertThat(result.failures()).singleElement()
        .satisfies(f -> assertThat(f.reason()).contains("output directory"));
    assertThat(Files.readString(outside)).isEqualTo("keep me");
    assertThat(imageStore().find(image.id())).isPresent();
  }

  @Test
  void purgeDeletedBeforeKeepsRecentlyTrashedImages() {
    StoredImage old = trashed("alice", 100, 500);
    StoredImage recent = trashed("bob", 100, 900);

    PurgeResult result = purger.purgeDeletedBefore(at(900));

    assertThat(result.purged()).isEqualTo(1);
    assertThat(imageStore().find(old.id())).isEmpty();
    assertThat(imageStore().find(recent.id())).isPresent();
  }

  @Test
  void purgesMoreThanOneBatchAndSkipsPastFailures() throws Exception {
    int count = 205; // the purger works in batches of 200
    for (int i = 0; i < count; i++) {
      StoredImage image = trashed("alice", i, 1000 + i);
      if (i == 0) {
        Files.createDirectories(outputs.resolve(image.file()).resolve("child"));
      }
    }

    PurgeResult result = purger.purgeAll();

    assertThat(result.purged()).isEqualTo(count - 1);
    assertThat(result.failures()).hasSize(1);
    assertThat(imageStore().listTrash(null, null, 10)).hasSize(1);
  }

  @Test
  void resolvesStoredPathsStrictlyInsideTheOutputDirectory() {
    assertThat(RelativeFiles.resolveInside(outputs, "alice/x.png"))
        .isEqualTo(outputs.toAbsolutePath().normalize().resolve("alice").resolve("x.png"));
    for (String bad : new String[] {"../x.png", "a/../../x.png", "/etc/passwd", "C:\\x.png",
        "a\\..\\..\\x.png", " "}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> RelativeFiles.resolveInside(outputs, bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private StoredImage trashed(String user, long createdSeconds, long deletedSeconds) {
    StoredImage image = insertImage(user, at(createdSeconds));
    assertThat(imageStore().softDelete(image.id(), user, at(deletedSeconds))).isTrue();
    return imageStore().find(image.id()).orElseThrow();
  }

  private void writeFile(StoredImage image, int bytes) throws Exception {
    Path file = outputs.resolve(image.file());
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[bytes]);
  }
}
