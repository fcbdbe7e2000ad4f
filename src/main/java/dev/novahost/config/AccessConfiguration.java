package dev.novahost.config;

import dev.novahost.access.AccessRefusals;
import dev.novahost.access.BearerTokens;
import dev.novahost.access.HostNames;
import dev.novahost.access.OriginCheck;
import dev.novahost.access.RequestLimits;
import dev.novahost.access.Role;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * Who may call what, decided by Spring Security on the path Spring MVC routes, and where the server
 * listens.
 *
 * <p>Every request first passes Spring Security's {@link StrictHttpFirewall}: a path that is not in
 * canonical form ({@code ;}, {@code //}, {@code /./}, {@code ..}, an encoded {@code /} or {@code %})
 * is refused before anything looks at it, so a path can be spelt only one way (a letter written as
 * {@code %61} is decoded alike by the matchers below and by the routing), and a {@code Host} that is not
 * a name of the service is refused ({@link HostNames}). Then, in this order: {@link RequestLimits} (body
 * size, request rate; every request), {@link OriginCheck} (cross-site state changes), the bearer token
 * ({@link BearerTokens}) and the role each route needs:
 *
 * <ul>
 *   <li>{@code /actuator/health/**}: anyone (probes);</li>
 *   <li>other {@code /api/**} and {@code /actuator/**} reads (GET, HEAD, OPTIONS) and scenario runs: the viewer;</li>
 *   <li>other {@code /api/**} and {@code /actuator/**} calls: the operator (who is also a viewer);</li>
 *   <li>outside them, reads (the console, Swagger UI, {@code /openapi.yaml}): anyone; anything else: the operator.</li>
 * </ul>
 *
 * <p>With no token configured everything is allowed and the server listens on loopback only: binding
 * beyond it then refuses to start, unless {@code nova.auth=none} says to serve everyone; and requests
 * must name the service by a loopback or configured name ({@code Host}), which defeats DNS rebinding.
 * With tokens the {@code Host} is checked only when {@code nova.allowed-hosts} lists names: a page that
 * rebinds a name has no token to send. No session, no CSRF token, no login form, no generated password:
 * a stateless bearer-token API.
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AccessConfiguration.class);
    private static final String[] GUARDED = {"/api/**", "/actuator/**"};

    /** A bean, so that Spring Boot creates no user of its own and prints no generated password. */
    @Bean
    BearerTokens bearerTokens(NovaProperties properties) {
        return new BearerTokens(properties.viewerToken(), properties.operatorToken());
    }

    /**
     * Spring Security would observe every filter of its chain, a Micrometer event and counter per filter
     * and request: half of a plain GET's throughput (P5, docs/BENCHMARKS.md). The HTTP server's own
     * request metrics stay.
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix().role(Role.OPERATOR.role()).implies(Role.VIEWER.role()).build();
    }

    /** How every refusal reads: one for the firewall and the chain. */
    @Bean
    AccessRefusals accessRefusals(NovaProperties properties, BearerTokens tokens) {
        return new AccessRefusals(hostNames(properties, tokens));
    }

    @Bean
    WebSecurityCustomizer firewall(AccessRefusals refusals) {
        var firewall = new StrictHttpFirewall();
        firewall.setAllowedHostnames(refusals.hosts()::allows);
        // The firewall's own checks of header and parameter text are regular expressions, run on every
        // header read downstream; these loops accept exactly the same text.
        firewall.setAllowedHeaderNames(text -> visible(text, false));
        firewall.setAllowedHeaderValues(text -> visible(text, true));
        firewall.setAllowedParameterNames(text -> visible(text, false));
        return web -> web.httpFirewall(firewall).requestRejectedHandler(refusals);
    }

    @Bean
    SecurityFilterChain access(HttpSecurity http, NovaProperties properties, BearerTokens tokens,
                               AccessRefusals refusals) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .servletApi(api -> api.disable())
                .logout(logout -> logout.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                // The security headers (nosniff, DENY framing, no-store) are the same for every answer: written
                // before the chain runs, the response needs no wrapper that waits for its commit (P5).
                .headers(headers -> headers.addObjectPostProcessor(new ObjectPostProcessor<HeaderWriterFilter>() {
                    @Override
                    public <O extends HeaderWriterFilter> O postProcess(O filter) {
                        filter.setShouldWriteHeadersEagerly(true);
                        return filter;
                    }
                }))
                .addFilterAfter(new RequestLimits(properties.maxBodyBytes(), properties.requestsPerSecond()),
                        HeaderWriterFilter.class)
                .addFilterAfter(new OriginCheck(), RequestLimits.class);
        if (!tokens.configured()) {
            // No role to decide: the filters that carry an authentication through a request are only cost (P5).
            http.securityContext(context -> context.disable())
                    .anonymous(anonymous -> anonymous.disable())
                    .sessionManagement(session -> session.disable())
                    .exceptionHandling(exceptions -> exceptions.disable());
            Filter everyoneOperates = (request, response, chain) -> {
                ((HttpServletResponse) response).setHeader(Role.HEADER, Role.OPERATOR.word());
                chain.doFilter(request, response);
            };
            return http.addFilterAfter(everyoneOperates, OriginCheck.class).build();
        }
        var authentication = new AuthenticationFilter(new ProviderManager(tokens), tokens);
        authentication.setSuccessHandler((request, response, token) ->
                response.setHeader(Role.HEADER, token.getPrincipal().toString()));
        authentication.setFailureHandler((request, response, failed) -> refusals.commence(request, response, failed));
        return http.addFilterAfter(authentication, OriginCheck.class)
                .authorizeHttpRequests(routes -> routes
                        // the request was authorized when it came in; its async and error dispatches only finish it
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health/**").permitAll()
                        .requestMatchers(HttpMethod.GET, GUARDED).hasRole(Role.VIEWER.role())
                        .requestMatchers(HttpMethod.HEAD, GUARDED).hasRole(Role.VIEWER.role())
                        .requestMatchers(HttpMethod.OPTIONS, GUARDED).hasRole(Role.VIEWER.role())
                        .requestMatchers(BearerTokens.SCENARIO_RUN).hasRole(Role.VIEWER.role())
                        .requestMatchers(GUARDED).hasRole(Role.OPERATOR.role())
                        .requestMatchers(HttpMethod.GET).permitAll()
                        .requestMatchers(HttpMethod.HEAD).permitAll()
                        .requestMatchers(HttpMethod.OPTIONS).permitAll()
                        .anyRequest().hasRole(Role.OPERATOR.role()))
                .build();
    }

    /** Assigned characters and no control character (but a tab where {@code tab}): the firewall's default rule. */
    static boolean visible(String text, boolean tab) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((Character.isISOControl(c) && !(tab && c == '\t')) || !Character.isDefined(c)) {
                return false;
            }
        }
        return true;
    }

    /** Without a token, always checked (loopback and configured names); with tokens, only when names are configured. */
    private static HostNames hostNames(NovaProperties properties, BearerTokens tokens) {
        boolean named = properties.allowedHosts().stream().anyMatch(name -> !name.isBlank());
        return new HostNames(properties.allowedHosts(), !tokens.configured() || named);
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableWebServerFactory> loopbackWithoutTokens(NovaProperties properties,
            Environment environment) {
        boolean open = "none".equalsIgnoreCase(properties.auth());
        if (properties.requireToken() && !properties.tokensConfigured() && !open) {
            throw new StartRefused("nova-host refuses to start without a token (NOVA_REQUIRE_TOKEN=true)",
                    "Set NOVA_OPERATOR_TOKEN (and NOVA_VIEWER_TOKEN for read-only users), or NOVA_AUTH=none to serve everyone without one");
        }
        String address = environment.getProperty("server.address", "").trim();
        if (!properties.tokensConfigured() && !open && !address.isEmpty() && !onlyLoopback(address)) {
            throw new StartRefused("nova-host refuses to listen on " + address
                    + " (server.address) without a token: anyone who reaches it could change state",
                    "Set NOVA_OPERATOR_TOKEN (and NOVA_VIEWER_TOKEN for read-only users), listen on loopback "
                            + "(127.0.0.1, ::1, localhost), or set NOVA_AUTH=none to serve everyone without a token");
        }
        return factory -> {
            if (properties.tokensConfigured()) {
                log.info("nova-host: viewer/operator tokens configured; every API call needs one");
            } else if (open) {
                log.warn("nova-host: nova.auth=none: serving every address with no tokens; anyone who reaches it may change state");
            } else if (address.isEmpty()) {
                factory.setAddress(InetAddress.getLoopbackAddress());
                log.warn("nova-host: no token configured (NOVA_VIEWER_TOKEN / NOVA_OPERATOR_TOKEN): listening on loopback only");
            } else {
                log.warn("nova-host: no token configured (NOVA_VIEWER_TOKEN / NOVA_OPERATOR_TOKEN): listening on {} (loopback) only",
                        address);
            }
        };
    }

    /** Whether every address {@code address} names is a loopback one; a name that does not resolve is not. */
    private static boolean onlyLoopback(String address) {
        try {
            return Arrays.stream(InetAddress.getAllByName(address)).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException unresolved) {
            return false;
        }
    }
}
