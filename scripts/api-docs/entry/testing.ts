/**
 * The testing kit: request builders, `handle`, mocks, a test server, and a real Centrifugo for end-to-end tests.
 *
 * @module effect-centrifugo/testing
 */
export * from "../../../src/testing/index.ts"
