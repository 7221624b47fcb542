package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ImageStore} must have. A store implementation's test extends this
 * class and supplies fresh stores; see {@link StoreContractSupport}.
 */
public abstract class ImageStoreContract extends StoreContractSupport {

  @Test
  void galleryShowsOnlyTheUsersActiveImagesNewestFirstWithTotal() {
    StoredImage a1 = insertImage("alice", at(100));
    StoredImage a2 = insertImage("alice", at(200));
    StoredImage a3 = insertImage("alice", at(300));
    insertImage("bob", at(250));

    Page<StoredImage> first = imageStore().gallery("alice", Include.ACTIVE, new PageRequest(1, 2));
    Page<StoredImage> second = imageStore().gallery("alice", Include.ACTIVE, new PageRequest(2, 2));

    assertThat(ids(first)).isEqualTo(ids(a3, a2));
    assertThat(ids(second)).isEqualTo(ids(a1));
    assertThat(first.total()).isEqualTo(3);
    assertThat(first.page()).isEqualTo(1);
    assertThat(first.size()).isEqualTo(2);
  }

  @Test
  void softDeleteMovesTheImageFromTheGalleryToTheTrash() {
    StoredImage kept = insertImage("alice", at(100));
    StoredImage trashed = insertImage("alice", at(200));

    assertThat(imageStore().softDelete(trashed.id(), "alice", at(500))).isTrue();

    PageRequest page = new PageRequest(1, 10);
    assertThat(ids(imageStore().gallery("alice", Include.ACTIVE, page))).isEqualTo(ids(kept));
    Page<StoredImage> trash = imageStore().gallery("alice", Include.DELETED, page);
    assertThat(ids(trash)).isEqualTo(ids(trashed));
    assertThat(trash.total()).isEqualTo(1);
    assertThat(trash.items().get(0).deletedAt()).isEqualTo(at(500));
    assertThat(imageStore().gallery("alice", Include.ALL, page).total()).isEqualTo(2);
    assertThat(imageStore().find(trashed.id()).orElseThrow().deletedAt()).isEqualTo(at(500));
  }

  @Test
  void deleteAndRestoreAreScopedToTheOwnerAndReportWhetherTheyChanged() {
    StoredImage image = insertImage("alice", at(100));

    assertThat(imageStore().softDelete(image.id(), "bob", at(500))).isFalse();
    assertThat(imageStore().find(image.id()).orElseThrow().isDeleted()).isFalse();
    assertThat(imageStore().softDelete(image.id(), "alice", at(500))).isTrue();
    assertThat(imageStore().softDelete(image.id(), "alice", at(600))).isFalse();
    assertThat(imageStore().restore(image.id(), "bob")).isFalse();
    assertThat(imageStore().find(image.id()).orElseThrow().deletedAt()).isEqualTo(at(500));
    assertThat(imageStore().restore(image.id(), "alice")).isTrue();
    assertThat(imageStore().restore(image.id(), "alice")).isFalse();
    assertThat(imageStore().find(image.id()).orElseThrow().isDeleted()).isFalse();
  }

  @Test
  void adminDeleteAndRestoreWorkForAnyOwner() {
    StoredImage image = insertImage("alice", at(100));

    assertThat(imageStore().softDeleteAny(image.id(), at(500))).isTrue();
    assertThat(imageStore().softDeleteAny(image.id(), at(500))).isFalse();
    assertThat(imageStore().restoreAny(image.id())).isTrue();
    assertThat(imageStore().restoreAny(image.id())).isFalse();
    assertThat(imageStore().find(ImageId.generate(at(0)))).isEmpty();
  }

  @Test
  void adminSearchFiltersByUserTrashStatusAndDateRange() {
    StoredImage a1 = insertImage("alice", at(100));
    StoredImage b1 = insertImage("bob", at(200));
    StoredImage a2 = insertImage("alice", at(300));
    StoredImage b2 = insertImage("bob", at(400));
    imageStore().softDelete(b1.id(), "bob", at(1000));
    PageRequest page = new PageRequest(1, 10);

    assertThat(ids(imageStore().search(ImageQuery.all(), page))).isEqualTo(ids(b2, a2, a1));
    assertThat(ids(imageStore().search(ImageQuery.all().withInclude(Include.ALL), page)))
        .isEqualTo(ids(b2, a2, b1, a1));
    assertThat(ids(imageStore().search(ImageQuery.all().withInclude(Include.DELETED), page)))
        .isEqualTo(ids(b1));
    assertThat(ids(imageStore().search(ImageQuery.all().withUser("bob")
        .withInclude(Include.ALL), page))).isEqualTo(ids(b2, b1));
    // from is inclusive, to exclusive.
    Page<StoredImage> ranged = imageStore().search(
        ImageQuery.all().withInclude(Include.ALL).withRange(at(200), at(400)), page);
    assertThat(ids(ranged)).isEqualTo(ids(a2, b1));
    assertThat(ranged.total()).isEqualTo(2);
    assertThat(imageStore().search(
        ImageQuery.all().withUser("alice").withRange(at(101), null), page).total()).isEqualTo(1);
  }

  @Test
  void listTrashWalksTrashedImagesBeforeTheCutoffInBatches() {
    List<StoredImage> trashed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      StoredImage image = insertImage("alice", at(100 + i));
      imageStore().softDelete(image.id(), "alice", at(1000 + i));
      trashed.add(image);
    }
    insertImage("alice", at(200));

    List<StoredImage> firstBatch = imageStore().listTrash(null, null, 2);
    List<StoredImage> secondBatch = imageStore().listTrash(null, firstBatch.get(1), 2);
    List<StoredImage> lastBatch = imageStore().listTrash(null, secondBatch.get(1), 2);

    List<ImageId> walked = new ArrayList<>();
    List.of(firstBatch, secondBatch, lastBatch).forEach(b -> b.forEach(i -> walked.add(i.id())));
    assertThat(walked).isEqualTo(trashed.stream().map(StoredImage::id).toList());
    assertThat(imageStore().listTrash(at(1002), null, 10))
        .extracting(StoredImage::id)
        .containsExactly(trashed.get(0).id(), trashed.get(1).id());
  }

  @Test
  void purgeRemovesATrashedRowAfterTheFileCallback() {
    StoredImage image = insertImage("alice", at(100));
    imageStore().softDelete(image.id(), "alice", at(500));
    List<StoredImage> removed = new ArrayList<>();

    assertThat(imageStore().purge(image.id(), removed::add)).isTrue();

    assertThat(removed).extracting(StoredImage::id).containsExactly(image.id());
    assertThat(imageStore().find(image.id())).isEmpty();
  }

  @Test
  void purgeLeavesAnImageThatIsNotInTheTrashAlone() {
    StoredImage image = insertImage("alice", at(100));
    AtomicInteger calls = new AtomicInteger();

    assertThat(imageStore().purge(image.id(), i -> calls.incrementAndGet())).isFalse();

    assertThat(calls).hasValue(0);
    assertThat(imageStore().find(image.id())).isPresent();
  }

  @Test
  void purgeKeepsTheRowWhenTheFileCallbackFails() {
    StoredImage image = insertImage("alice", at(100));
    imageStore().softDelete(image.id(), "alice", at(500));

    assertThatThrownBy(() -> imageStore().purge(image.id(), i -> {
      throw new IllegalStateException("disk says no");
    })).isInstanceOf(IllegalStateException.class).hasMessage("disk says no");

    assertThat(imageStore().find(image.id()).orElseThrow().deletedAt()).isEqualTo(at(500));
  }
}
