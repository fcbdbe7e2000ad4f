package dev.novahost.config;

import dev.novahost.access.RequestLimits;
import dev.novahost.access.TokenAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Who may call what (viewer and operator tokens), request limits, and where the server listens: with
 * no token configured, only on loopback (unless {@code nova.auth=none} says to serve everyone).
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AccessConfiguration.class);

    @Bean
    FilterRegistrationBean<RequestLimits> requestLimits(NovaProperties properties) {
        var registration = new FilterRegistrationBean<>(new RequestLimits(properties.maxBodyBytes(),
                properties.requestsPerSecond()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    FilterRegistrationBean<TokenAccess> tokenAccess(NovaProperties properties) {
        var registration = new FilterRegistrationBean<>(new TokenAccess(properties.viewerToken(),
                properties.operatorToken()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableWebServerFactory> loopbackWithoutTokens(NovaProperties properties,
            org.springframework.core.env.Environment environment) {
        if (properties.requireToken() && !properties.tokensConfigured() && !"none".equalsIgnoreCase(properties.auth())) {
            throw new StartRefused("nova-host refuses to start without a token (NOVA_REQUIRE_TOKEN=true)",
                    "Set NOVA_OPERATOR_TOKEN (and NOVA_VIEWER_TOKEN for read-only users), or NOVA_AUTH=none to serve everyone without one");
        }
        return factory -> {
            if (properties.tokensConfigured()) {
                log.info("nova-host: viewer/operator tokens configured; every API call needs one");
            } else if ("none".equalsIgnoreCase(properties.auth())) {
                log.warn("nova-host: nova.auth=none: serving every address with no tokens; anyone who reaches it may change state");
            } else if (environment.getProperty("server.address") == null) {
                factory.setAddress(java.net.InetAddress.getLoopbackAddress());
                log.warn("nova-host: no token configured (NOVA_VIEWER_TOKEN / NOVA_OPERATOR_TOKEN): listening on loopback only");
            }
        };
    }
}
