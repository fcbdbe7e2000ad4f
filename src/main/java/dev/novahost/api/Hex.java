package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.math.BigInteger;
import java.util.HexFormat;

/**
 * The API's text form of register values, offsets and ids: lower-case hex with {@code 0x}, zero-padded
 * to the register's width, and the parsing of what clients send (hex with {@code 0x}, or decimal).
 */
final class Hex {

    /** Lower-case, fixed width: the register's own width, with no formatter to parse on each call. */
    private static final HexFormat DIGITS = HexFormat.of();

    private Hex() {
    }

    static String value32(int value) {
        return "0x" + DIGITS.toHexDigits(value);
    }

    static String offset(int offset) {
        return "0x" + DIGITS.toHexDigits(offset).substring(2);
    }

    static String value64(long value) {
        return "0x" + DIGITS.toHexDigits(value);
    }

    static String id16(int id) {
        return "0x" + DIGITS.toHexDigits((short) id);
    }

    static String classCode(int code) {
        return "0x" + DIGITS.toHexDigits(code).substring(2);
    }

    static String byte8(int value) {
        return "0x" + DIGITS.toHexDigits((byte) value);
    }

    /** A BAR0 offset: {@code 0x9400} or {@code 37888}; range and alignment are the kernel's to check. */
    static int parseOffset(String text) {
        long value = parse(text, "offset", 0xffff_ffffL);
        return (int) Math.min(value, Integer.MAX_VALUE);
    }

    /** A 32-bit register value as a string: {@code 0x12345678} or decimal. */
    static int parseValue32(String text) {
        return (int) parse(text, "value", 0xffff_ffffL);
    }

    /** A 32-bit register value as a JSON integer. */
    static int value32(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 32) {
            throw KernelException.of(Errno.EINVAL, "value " + value + " does not fit in a 32-bit register (0..4294967295)");
        }
        return value.intValue();
    }

    private static long parse(String text, String what, long max) {
        String trimmed = text == null ? "" : text.trim();
        boolean hex = trimmed.startsWith("0x") || trimmed.startsWith("0X");
        String digits = hex ? trimmed.substring(2) : trimmed;
        if (digits.isEmpty() || digits.length() > 16
                || !digits.chars().allMatch(c -> hex ? Character.digit(c, 16) >= 0 : c >= '0' && c <= '9')) {
            throw KernelException.of(Errno.EINVAL, "'" + text + "' is not a valid " + what
                    + "; write hex with 0x (0x9400) or decimal digits");
        }
        // at most 16 digits: hex fits an unsigned long, decimal a signed one
        long value = hex ? Long.parseUnsignedLong(digits, 16) : Long.parseLong(digits);
        if (Long.compareUnsigned(value, max) > 0) {
            throw KernelException.of(Errno.EINVAL, what + " " + text + " is larger than 0x" + Long.toHexString(max));
        }
        return value;
    }
}
