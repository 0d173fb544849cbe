package io.switchboard.kms.emulator.model;

/** One media connection between two elements, as {@code getSinkConnections} reports it. */
record ElementLink(MediaElement source, MediaElement sink, String mediaType, String sourceDescription, String sinkDescription) {}
