package dev.novahost.config;

import dev.novahost.api.ApiLimits;
import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelConfig;
import dev.novahost.metrics.KernelGauges;
import dev.novahost.metrics.MetricsTracepoints;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The service runs one live kernel on real time, observed by Micrometer. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NovaProperties.class)
class KernelConfiguration {

    @Bean
    MetricsTracepoints metricsTracepoints(MeterRegistry registry) {
        return new MetricsTracepoints(registry);
    }

    @Bean
    Kernel kernel(NovaProperties properties, MetricsTracepoints tracepoints) {
        return new Kernel(new KernelConfig(properties.maxDevices(), properties.loadNovaCore()), Clock.system(),
                tracepoints);
    }

    @Bean
    KernelGauges kernelGauges(Kernel kernel) {
        return new KernelGauges(kernel);
    }

    @Bean
    ApiLimits apiLimits(NovaProperties properties) {
        return new ApiLimits(properties.maxRangeRead());
    }
}
