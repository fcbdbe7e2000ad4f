package dev.novahost.access;

import java.util.List;
import java.util.Locale;

/**
 * The names this service answers to in a request's {@code Host}: loopback names ({@code localhost},
 * {@code 127.x.x.x}, {@code [::1]}) and the ones configured in {@code nova.allowed-hosts}; {@code *}
 * there allows any. Refusing every other name defeats DNS rebinding, where a web page's own name is
 * made to resolve to 127.0.0.1 so that the browser sends the page's requests, with the page's
 * {@code Host}, to a service that trusts whoever reaches loopback (as Jupyter and the Docker daemon do).
 *
 * <p>Called on every request, by Spring Security's firewall: no allocation, no regular expression.
 * Immutable, so safe from any thread.
 */
public final class HostNames {

    private final List<String> configured;
    private final boolean any;
    private final boolean checked;

    /**
     * @param configured names besides loopback's, compared case-insensitively
     * @param checked    whether {@code Host} is checked at all: off, every name is allowed
     */
    public HostNames(List<String> configured, boolean checked) {
        this.configured = configured.stream().map(String::trim).filter(name -> !name.isEmpty())
                .map(name -> name.toLowerCase(Locale.ROOT)).toList();
        this.any = this.configured.contains("*");
        this.checked = checked && !any;
    }

    /** Whether a request whose {@code Host} names {@code serverName} (without the port) is answered. */
    public boolean allows(String serverName) {
        if (!checked) {
            return true;
        }
        if (serverName == null) {
            return false;
        }
        if (isLoopback(serverName)) {
            return true;
        }
        for (String name : configured) {
            if (name.equalsIgnoreCase(serverName)) {
                return true;
            }
        }
        return false;
    }

    /** {@code localhost}, an IPv4 literal in 127.0.0.0/8, or {@code ::1} (with or without brackets). */
    static boolean isLoopback(String name) {
        return name.equalsIgnoreCase("localhost") || name.equals("[::1]") || name.equals("::1") || isIpv4Loopback(name);
    }

    /** Four dotted decimal octets (0..255, no sign), the first 127: the literal a browser never resolves. */
    private static boolean isIpv4Loopback(String name) {
        if (!name.startsWith("127.")) {
            return false;
        }
        int dots = 0;
        int octet = 0;
        int digits = 0;
        for (int i = 4; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (digits == 0 || ++dots > 2) {
                    return false;
                }
                octet = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                octet = octet * 10 + (c - '0');
                digits++;
                if (octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return dots == 2 && digits > 0;
    }
}
