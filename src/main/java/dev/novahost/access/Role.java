package dev.novahost.access;

import dev.novahost.kernel.WireWord;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** The two roles a token grants, as libvirt's read-only and full connections; an operator is also a viewer. */
public enum Role {
    VIEWER, OPERATOR;

    /** Tells a client (the web console) which role its token has, so it can hide what it may not do. */
    public static final String HEADER = "X-Nova-Role";

    private final List<GrantedAuthority> authorities = List.of(new SimpleGrantedAuthority("ROLE_" + name()));
    private final String word = WireWord.of(this);

    /** The name Spring Security's {@code hasRole} matches. */
    public String role() {
        return name();
    }

    /** What the {@link #HEADER} says. */
    public String word() {
        return word;
    }

    List<GrantedAuthority> authorities() {
        return authorities;
    }
}
