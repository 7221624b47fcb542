package io.comfygate.remote.model;

/** A running job's latest preview image. */
public record Preview(String mimeType, byte[] bytes) {}
