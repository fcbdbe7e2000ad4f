package dev.novahost.kernel.novacore;

/** Anything BAR0 registers can be read through: a BAR handle, or the mapping itself under a bound-device proof. */
@FunctionalInterface
public interface RegisterReader {
    int read32(int offset);
}
