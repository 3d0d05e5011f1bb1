package io.mmedstream.coordinator.api;

/** The body of an error response: the reason code and a message. */
public record ErrorView(String reason, String message) {
}
