package io.comfygate.uploads;

import java.time.Instant;

/**
 * One stored input image, as its content showed it to be.
 *
 * @param id its opaque id
 * @param userId who uploaded it (only they, or an administrator, may see or use it)
 * @param contentType {@code image/png}, {@code image/jpeg} or {@code image/webp}, from the bytes
 * @param width pixels, from the image header
 * @param height pixels, from the image header
 * @param bytes file size
 * @param file where it is, relative to the upload folder ({@code <id>.<ext>})
 * @param createdAt when it was stored
 */
public record Upload(UploadId id, String userId, String contentType, int width, int height, long bytes, String file,
    Instant createdAt) {}
