package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import tools.jackson.databind.JsonNode;

/** A register write: {@code {"value":"0x12345678"}} or a JSON integer. */
record WriteRegisterRequest(JsonNode value) {

    /** The 32-bit value to write; {@code EINVAL} for anything that is not one. */
    int registerValue() {
        if (value == null || value.isNull()) {
            throw KernelException.of(Errno.EINVAL, "Field 'value' is required, e.g. {\"value\":\"0x12345678\"}");
        }
        if (value.isString()) {
            return Hex.parseValue32(value.stringValue());
        }
        if (value.isIntegralNumber()) {
            return Hex.value32(value.bigIntegerValue());
        }
        throw KernelException.of(Errno.EINVAL, "Field 'value' must be a hex string (\"0x12345678\") or an integer");
    }
}
