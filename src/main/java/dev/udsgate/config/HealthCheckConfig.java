package dev.udsgate.config;

import java.time.Duration;

/**
 * An active health check: a GET of {@code path} on each upstream every {@code interval}.
 *
 * @param timeout how long one check may take
 * @param healthyThreshold consecutive successes that bring an unhealthy upstream back
 * @param unhealthyThreshold consecutive failures that take a healthy upstream out
 */
public record HealthCheckConfig(
        String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
}
