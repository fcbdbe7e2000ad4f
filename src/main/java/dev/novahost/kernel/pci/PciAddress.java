package dev.novahost.kernel.pci;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;

/** A PCI bus/device/function address, written {@code DDDD:BB:DD.F} in lower-case hex as sysfs does. */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    public PciAddress {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f
                || function < 0 || function > 7) {
            throw KernelException.of(Errno.EINVAL, "PCI address out of range: domain " + domain + ", bus " + bus
                    + ", device " + device + ", function " + function);
        }
    }

    /** Parses {@code 0000:01:00.0}; anything else, or a device number above 0x1f, is {@code EINVAL}. */
    public static PciAddress parse(String text) {
        // by hand, not by regex: every API request that names a device parses its address
        if (text == null || text.length() != 12 || text.charAt(4) != ':' || text.charAt(7) != ':'
                || text.charAt(10) != '.' || text.charAt(11) < '0' || text.charAt(11) > '7') {
            throw notAnAddress(text);
        }
        return new PciAddress(hex(text, 0, 4), hex(text, 5, 7), hex(text, 8, 10), text.charAt(11) - '0');
    }

    private static int hex(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) {
                throw notAnAddress(text);
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static KernelException notAnAddress(String text) {
        return KernelException.of(Errno.EINVAL,
                "'" + text + "' is not a PCI address; write it as DDDD:BB:DD.F in lower-case hex, e.g. 0000:01:00.0");
    }

    @Override
    public int compareTo(PciAddress o) {
        return Long.compare(key(), o.key());
    }

    private long key() {
        return ((long) domain << 16) | (bus << 8) | (device << 3) | function;
    }

    /** {@code 0000:01:00.0}. Built by hand: it is on every log line, and String.format was most of their cost. */
    @Override
    public String toString() {
        var text = new StringBuilder(12);
        hex(text, domain, 4).append(':');
        hex(text, bus, 2).append(':');
        hex(text, device, 2).append('.').append(function);
        return text.toString();
    }

    private static StringBuilder hex(StringBuilder text, int value, int digits) {
        for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
            text.append(Character.forDigit((value >> shift) & 0xf, 16));
        }
        return text;
    }
}
