/**
 * The standard gRPC health service, `grpc.health.v1.Health` (Check and Watch), for the proxy's grpc-js server: what
 * Kubernetes' `grpc:` probes, `grpc_health_probe` and load balancers ask.
 *
 * Answers, per service name:
 * - `""` (the whole server) and `centrifugal.centrifugo.proxy.CentrifugoProxy`: SERVING while `Readiness` says
 *   ready; NOT_SERVING from the moment a drain starts (before the listener closes), or while the user's readiness
 *   check fails;
 * - `liveness`: SERVING whenever the server answers at all (for a liveness probe, which must not fail on a drain or
 *   a slow database);
 * - any other name: Check answers NOT_FOUND, Watch sends SERVICE_UNKNOWN and keeps watching (as the standard says).
 * Watch sends the status at once and again whenever it changes (a drain is seen at once, the user check every
 * `watchInterval`, one run shared by all watches); at most `maxWatches` (100) are open at once, more answer
 * RESOURCE_EXHAUSTED; the server ends the watches with UNAVAILABLE when it shuts down.
 *
 * Health answers without the proxy's credentials (`requireCredentials` guards the proxy service only): Kubernetes'
 * `grpc:` probe and most load balancers cannot send metadata, and all it tells is SERVING or not. The cap and the
 * shared check bound what a stranger's watches cost.
 *
 * `ProxyServer` serves it on its own port with nothing to configure (`maxHealthWatches` aside); this module names
 * what a probe asks for.
 *
 * @since 0.1.0
 */

/**
 * The health service's full name.
 *
 * @since 0.1.0
 * @category constants
 */
export const serviceName = "grpc.health.v1.Health"

/**
 * The service name a liveness probe asks for: SERVING as long as the server answers.
 *
 * @since 0.1.0
 * @category constants
 */
export const liveness = "liveness"
