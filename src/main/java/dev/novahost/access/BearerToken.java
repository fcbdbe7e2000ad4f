package dev.novahost.access;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A bearer token as a request presents it (not yet checked), or the {@link Role} it was found to grant.
 * The token itself is dropped once checked, and never appears in {@link #toString()} (which Spring
 * Security may log).
 */
final class BearerToken extends AbstractAuthenticationToken {

    private String token;
    private final Role role;

    /** A token as presented, before {@link BearerTokens} has checked it. */
    BearerToken(String token) {
        super(List.of());
        this.token = token;
        this.role = null;
    }

    /** A checked token: it grants {@code role}. */
    BearerToken(Role role) {
        super(role.authorities());
        this.token = null;
        this.role = role;
        setAuthenticated(true);
    }

    String token() {
        return token;
    }

    @Override
    public Object getCredentials() {
        return token;
    }

    @Override
    public Object getPrincipal() {
        return role == null ? "bearer" : role.word();
    }

    @Override
    public void eraseCredentials() {
        token = null;
    }

    @Override
    public String toString() {
        return "BearerToken[" + (role == null ? "unchecked" : role.word()) + "]";
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
