package dev.novahost.config;

import dev.novahost.api.ProblemReportValve;
import dev.novahost.connector.GuardedHttp11NioProtocol;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP connector in front of Spring: Tomcat's NIO protocol guarded against slow clients (a deadline
 * for the request head, a cap on connections per client address), and Tomcat's own error answers as
 * problem details. The customizers run after Spring Boot's (they have no order, so they come last), which
 * is what lets the valve replace the {@code ErrorReportValve} Spring Boot adds.
 */
@Configuration(proxyBeanMethods = false)
class ConnectorConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> slowClientGuard(NovaProperties properties) {
        long headerTimeout = properties.headerTimeout().toMillis();
        int maxPerClient = properties.maxConnectionsPerClient();
        if (headerTimeout <= 0) {
            throw new StartRefused("nova.header-timeout must be positive (it is " + properties.headerTimeout() + ")",
                    "Set NOVA_HEADER_TIMEOUT to the time a client has to send a request head, e.g. 20s");
        }
        if (maxPerClient < 0) {
            throw new StartRefused("nova.max-connections-per-client cannot be negative (it is " + maxPerClient + ")",
                    "Set NOVA_MAX_CONNECTIONS_PER_CLIENT to a positive number, or 0 for no cap");
        }
        return factory -> {
            factory.setProtocol(GuardedHttp11NioProtocol.class.getName());
            factory.addConnectorCustomizers(connector -> {
                if (connector.getProtocolHandler() instanceof GuardedHttp11NioProtocol protocol) {
                    protocol.setHeaderTimeout(headerTimeout);
                    protocol.setMaxConnectionsPerClient(maxPerClient);
                }
            });
        };
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(
                context -> ProblemReportValve.install((StandardHost) context.getParent()));
    }
}
