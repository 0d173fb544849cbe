package io.switchboard.gateway.edge;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where the gateway's Redis calls start: off the network threads. Spring Data Redis opens its
 * shared connection on first use and blocks the thread that asks meanwhile — for the connect and
 * command timeouts when Redis takes connections and answers nothing (spring-data-redis#2289). On a
 * Netty event loop that stalls every connection the loop serves, and giving the call up after
 * {@link GroupCallGuardGatewayFilterFactory#REDIS_WAIT} cannot help; on a worker thread it holds
 * that thread only, and the socket is let in without its limits meanwhile.
 */
final class RedisCalls {

  private RedisCalls() {}

  static <T> Mono<T> offNetworkThreads(Mono<T> call) {
    return call.subscribeOn(Schedulers.boundedElastic());
  }
}
