package dev.novahost.config;

import org.springdoc.core.configuration.SpringDocConfiguration;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.core.providers.ObjectMapperProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Swagger UI over the hand-written {@code openapi.yaml}. springdoc switches its UI off together with
 * its generated api-docs; these beans keep the UI without generating a second, drifting contract.
 */
@Configuration(proxyBeanMethods = false)
class SwaggerUiConfiguration {

    @Bean
    SpringDocConfiguration springDocConfiguration() {
        return new SpringDocConfiguration();
    }

    @Bean
    SpringDocConfigProperties springDocConfigProperties() {
        return new SpringDocConfigProperties();
    }

    @Bean
    ObjectMapperProvider objectMapperProvider(SpringDocConfigProperties properties) {
        return new ObjectMapperProvider(properties);
    }
}
