/**
 * Centrifugo proxy backends as Effect programs: handlers, replies, the gRPC and HTTP servers, services and
 * operations. Guides: docs/guides/ in the repository.
 *
 * @module effect-centrifugo
 */
export * from "../../../src/index.ts"
