package dev.novahost.api;

import java.util.Arrays;
import java.util.List;

/** Consecutive registers from {@code offset}, 4 bytes apart. */
record RangeView(String offset, int count, List<String> values) {

    static RangeView of(int offset, int[] values) {
        return new RangeView(Hex.offset(offset), values.length, Arrays.stream(values).mapToObj(Hex::value32).toList());
    }
}
