package dev.novahost.api;

import tools.jackson.databind.JsonNode;

/** A register write: {@code {"value":"0x12345678"}} or a JSON integer. */
record WriteRegisterRequest(JsonNode value) {
}
