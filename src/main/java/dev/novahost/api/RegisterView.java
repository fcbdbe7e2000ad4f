package dev.novahost.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.novahost.kernel.pci.Bar0;

/** One register: its offset, its name where it has one, its value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RegisterView(String offset, String register, String value) {

    static RegisterView of(int offset, int value) {
        return new RegisterView(Hex.offset(offset), Bar0.registerName(offset).orElse(null), Hex.value32(value));
    }
}
