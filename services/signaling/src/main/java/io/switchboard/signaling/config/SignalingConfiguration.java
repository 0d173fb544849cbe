package io.switchboard.signaling.config;

import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.LoadReporter;
import io.switchboard.signaling.domain.NodeLosses;
import io.switchboard.signaling.domain.PodRegistry;
import io.switchboard.signaling.placement.redis.RedisNodeAnnouncements;
import io.switchboard.signaling.pods.redis.RedisPodRegistry;
import io.switchboard.signaling.presence.redis.RedisRoomSequences;
import io.switchboard.signaling.ws.CallMeters;
import io.switchboard.signaling.domain.RoomEvents;
import io.switchboard.signaling.domain.MediaServer;
import io.switchboard.signaling.domain.RoomPlacementClient;
import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.media.kurento.KurentoMediaServer;
import io.switchboard.signaling.placement.http.HttpRoomPlacementClient;
import io.switchboard.signaling.placement.redis.RedisLoadReporter;
import io.switchboard.signaling.events.redis.RedisRoomEvents;
import io.switchboard.signaling.store.redis.RedisRoomStore;
import io.switchboard.signaling.ws.GroupCallSocketHandler;
import java.time.Clock;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.web.client.RestClient;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/** Wires the ports to their adapters. */
@Configuration(proxyBeanMethods = false)
class SignalingConfiguration {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SignalingConfiguration.class);

  private final SignalingProperties properties;

  SignalingConfiguration(SignalingProperties properties) {
    this.properties = properties;
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  RoomStore roomStore(StringRedisTemplate redis) {
    return new RedisRoomStore(redis);
  }

  @Bean(destroyMethod = "close")
  KurentoMediaServer mediaServer(io.micrometer.core.instrument.MeterRegistry registry) {
    SignalingProperties.Signaling signaling = properties.signaling();
    return new KurentoMediaServer(signaling.kmsRequestTimeout(), signaling.kmsSessionsPerNode(),
        signaling.kmsMaxInFlightPerNode(), registry);
  }

  /** {@code switchboard.service-token}: presented to placement, which requires it. */
  @Bean
  io.switchboard.serviceauth.ServiceToken serviceToken(org.springframework.core.env.Environment environment) {
    return io.switchboard.serviceauth.ServiceToken.fromSettings(environment,
        "placement will refuse this pod's requests, and no room can open");
  }

  @Bean
  RoomPlacementClient roomPlacementClient(io.switchboard.serviceauth.ServiceToken token) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .connectTimeout(java.time.Duration.ofSeconds(2)).build();
    org.springframework.http.client.JdkClientHttpRequestFactory requests =
        new org.springframework.http.client.JdkClientHttpRequestFactory(http);
    requests.setReadTimeout(java.time.Duration.ofSeconds(5));
    RestClient.Builder builder = RestClient.builder()
        .baseUrl(properties.placement().url().toString())
        .requestFactory(requests);
    if (token.configured()) {
      builder.defaultHeader(org.springframework.http.HttpHeaders.AUTHORIZATION, token.authorization());
    }
    return new HttpRoomPlacementClient(builder.build());
  }

  @Bean(destroyMethod = "close")
  RedisLoadReporter loadReporter(StringRedisTemplate redis) {
    return new RedisLoadReporter(redis);
  }

  @Bean(destroyMethod = "close")
  RedisRoomEvents roomEvents(StringRedisTemplate redis,
      org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory,
      io.micrometer.core.instrument.MeterRegistry registry) {
    return new RedisRoomEvents(redis, (io.lettuce.core.RedisClient) factory.getRequiredNativeClient(),
        java.time.Duration.ofMillis(factory.getTimeout()), registry);
  }

  @Bean
  PodRegistry podRegistry(StringRedisTemplate redis) {
    return new RedisPodRegistry(redis);
  }

  /**
   * Presence events to Kafka ({@code spring.kafka.bootstrap-servers}); off with
   * {@code switchboard.presence.enabled=false}.
   */
  @Bean(destroyMethod = "close")
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "switchboard.presence.enabled",
      havingValue = "true", matchIfMissing = true)
  io.switchboard.signaling.presence.kafka.KafkaPresenceFeed presenceFeed(
      org.springframework.boot.kafka.autoconfigure.KafkaProperties kafka, StringRedisTemplate redis,
      io.micrometer.core.instrument.MeterRegistry registry) {
    java.util.Map<String, Object> config = new java.util.HashMap<>(kafka.buildProducerProperties());
    config.putAll(io.switchboard.presence.PresenceContract.serializerConfig());
    config.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
    config.put("value.serializer", io.switchboard.presence.PresenceContract.serializer());
    // In order, once each, even when the broker comes and goes.
    config.put("enable.idempotence", true);
    config.put("acks", "all");
    config.put("retries", Integer.MAX_VALUE);
    config.put("max.in.flight.requests.per.connection", 5);
    config.put("delivery.timeout.ms", (int) Math.min(Integer.MAX_VALUE, properties.presence().deliveryTimeout().toMillis()));
    // While the broker is away the sender thread (never signaling) waits in send() for its
    // metadata, keeping the events behind it queued in order; a shorter wait would fail them.
    config.put("max.block.ms", properties.presence().deliveryTimeout().toMillis());
    config.put("linger.ms", 5);
    // While the broker is away, connection attempts back off to one every 10 s (the client's
    // default is one a second, each a warning); KafkaPresenceFeed says once that Kafka is away.
    config.putIfAbsent("reconnect.backoff.ms", 200);
    config.putIfAbsent("reconnect.backoff.max.ms", 10_000);
    config.putIfAbsent("client.id", "signaling-presence");
    return new io.switchboard.signaling.presence.kafka.KafkaPresenceFeed(
        new org.apache.kafka.clients.producer.KafkaProducer<>(config), new RedisRoomSequences(redis),
        properties.presence().queueCapacity(), properties.presence().unansweredAfter(), registry);
  }

  /**
   * {@code presence} in the pod's health (and readiness group): always UP — a pod serves on while
   * Kafka is away, its presence events waiting in order — with details that say whether Kafka
   * answers, since when not, and how many events are queued.
   */
  @Bean
  org.springframework.boot.health.contributor.HealthIndicator presenceHealthIndicator(
      org.springframework.beans.factory.ObjectProvider<io.switchboard.signaling.presence.kafka.KafkaPresenceFeed> presence) {
    return () -> {
      io.switchboard.signaling.presence.kafka.KafkaPresenceFeed feed = presence.getIfAvailable();
      if (feed == null) {
        return org.springframework.boot.health.contributor.Health.up().withDetail("kafka", "presence off").build();
      }
      var health = org.springframework.boot.health.contributor.Health.up()
          .withDetail("kafka", feed.kafkaReachable() ? "answers" : "does not answer")
          .withDetail("queued", feed.queued());
      if (!feed.kafkaReachable()) {
        health.withDetail("unansweredFor", feed.unreachableFor().toSeconds() + "s");
      }
      return health.build();
    };
  }

  /** Started and stopped by {@link PodLifecycle.CallService}, not as a plain bean. */
  @Bean(destroyMethod = "")
  GroupCallService groupCallService(RoomStore store, PodRegistry pods, MediaServer media, RoomPlacementClient placement,
      LoadReporter load, RoomEvents events, Clock clock, io.micrometer.core.instrument.MeterRegistry registry,
      org.springframework.beans.factory.ObjectProvider<io.switchboard.signaling.domain.PresenceFeed> presence,
      org.springframework.data.redis.core.StringRedisTemplate redis) {
    SignalingProperties.Signaling s = properties.signaling();
    if (s.heartbeatTimeout().compareTo(s.heartbeatInterval().multipliedBy(2)) < 0) {
      throw new IllegalStateException("switchboard.signaling.heartbeat-timeout (" + s.heartbeatTimeout()
          + ") must be at least twice heartbeat-interval (" + s.heartbeatInterval() + ")");
    }
    String pod = s.podId().isBlank() ? "signaling-" + UUID.randomUUID().toString().substring(0, 8) : s.podId();
    return new GroupCallService(store, pods, media, placement,
        new io.switchboard.signaling.placement.redis.RedisPlacedRooms(redis), load, events,
        presence.getIfAvailable(() -> io.switchboard.signaling.domain.PresenceFeed.NONE), new CallMeters(registry), clock,
        new GroupCallService.Settings(pod, s.expectedParticipants(), s.resumeGrace(), s.heartbeatInterval(),
            s.heartbeatTimeout(), new io.switchboard.signaling.domain.RoomLimits(s.room().maxParticipants(),
                s.room().mayPublish(), s.room().mayRecord(), s.room().recordingUri()),
            io.switchboard.signaling.domain.CandidateFilter.blocking(s.ice().blockedRanges()),
            s.maxOpenRoomsPerClient(), s.sweepInterval()));
  }

  @Bean
  NodeLosses nodeLosses(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory) {
    return new RedisNodeAnnouncements((io.lettuce.core.RedisClient) factory.getRequiredNativeClient());
  }

  /** Opened and closed by {@link PodLifecycle.CallService}, not as a plain bean. */
  @Bean(destroyMethod = "")
  io.switchboard.signaling.domain.MediaWarmup mediaWarmup(MediaServer media, StringRedisTemplate redis) {
    SignalingProperties.Signaling s = properties.signaling();
    return new io.switchboard.signaling.domain.MediaWarmup(media,
        new io.switchboard.signaling.placement.redis.RedisKnownNodes(redis), s.kmsWarmupRefresh(),
        s.kmsWarmupRehearsals());
  }

  @Bean
  PodLifecycle.CallService callServiceLifecycle(GroupCallService calls, NodeLosses losses,
      org.springframework.beans.factory.ObjectProvider<io.switchboard.signaling.presence.kafka.KafkaPresenceFeed> presence,
      io.switchboard.signaling.domain.MediaWarmup warmup) {
    SignalingProperties.Signaling s = properties.signaling();
    // The codec as many times as each node's KMS rehearsal (a few milliseconds per hundred).
    return new PodLifecycle.CallService(calls, losses, presence.getIfAvailable(), warmup, s.kmsWarmupTimeout(),
        () -> io.switchboard.signaling.ws.CodecRehearsal.rehearse(10 * s.kmsWarmupRehearsals(),
            io.switchboard.signaling.domain.MediaWarmup.rehearsalOffer()));
  }

  @Bean
  PodLifecycle.Drain drainLifecycle(org.springframework.context.ApplicationEventPublisher events,
      GroupCallSocketHandler sockets) {
    return new PodLifecycle.Drain(events, sockets, properties.signaling().shutdownDrain());
  }

  @Bean
  GroupCallSocketHandler groupCallSocketHandler(GroupCallService calls, io.micrometer.core.instrument.MeterRegistry registry) {
    SignalingProperties.Signaling s = properties.signaling();
    return new GroupCallSocketHandler(calls, new io.switchboard.signaling.ws.SocketSettings(s.maxFrameBytes(),
        s.messagesPerSecond(), s.messageBurst(),
        io.switchboard.signaling.ws.IdentityPolicy.of(s.requireIdentity(), s.identitySecret()), s.sendTimeLimit(),
        s.sendBufferBytes()), registry);
  }

  /**
   * The socket path rehearsed once the web server listens, before the pod turns ready (Boot marks
   * it ready after its runners), over loopback to the pod's own port ({@code server.address}'s when
   * it names one): one socket per two KMS rehearsals ({@code kms-warmup-rehearsals}) refused before
   * they join, then {@code join-rehearsal-rooms} rooms joined all at once on a node the warm-up
   * opened, negotiated and left ({@link JoinRehearsals}), and a wait for the JIT to compile what
   * they queued ({@link JoinRehearsals#awaitQuietCompiler}).
   */
  @Bean
  org.springframework.boot.ApplicationRunner socketRehearsal(GroupCallSocketHandler sockets,
      org.springframework.core.env.Environment environment, io.switchboard.signaling.domain.MediaWarmup warmup,
      GroupCallService calls, RoomStore store, PodRegistry pods, MediaServer media, RoomEvents events, Clock clock,
      StringRedisTemplate redis) {
    return args -> {
      Integer port = environment.getProperty("local.server.port", Integer.class);
      if (port == null || port <= 0) {
        return; // no web server
      }
      java.net.URI uri = java.net.URI.create("ws://" + ownHost(environment.getProperty("server.address")) + ":" + port
          + "/groupcall");
      SignalingProperties.Signaling s = properties.signaling();
      io.switchboard.signaling.ws.SocketRehearsal.rehearse(sockets, uri, Math.max(1, s.kmsWarmupRehearsals() / 2),
          io.switchboard.signaling.domain.MediaWarmup.rehearsalOffer());
      if (s.joinRehearsalRooms() == 0) {
        return;
      }
      java.util.List<String> open = java.util.List.copyOf(warmup.opened());
      if (open.isEmpty()) {
        log.info("joins not rehearsed: no KMS node is open yet");
        return;
      }
      // One node, chosen at random: pods starting together spread their rehearsals over the nodes.
      String node = open.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(open.size()));
      new JoinRehearsals(sockets, calls, store, pods, media, events, clock, redis, s.room().recordingUri())
          .run(uri, node, s.joinRehearsalRooms());
      JoinRehearsals.awaitQuietCompiler(java.time.Duration.ofSeconds(5));
    };
  }


  /** Where this pod's web server answers: its bound address, or loopback when it listens on all. */
  static String ownHost(String serverAddress) throws java.net.UnknownHostException {
    if (serverAddress == null || serverAddress.isBlank()) {
      return "127.0.0.1";
    }
    java.net.InetAddress address = java.net.InetAddress.getByName(serverAddress);
    if (address.isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    return address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
  }

  /**
   * The container's per-socket buffers, which it allocates up front for every socket: small. A
   * longer message reaches the handler in pieces, and the handler enforces the frame limit.
   */
  @Bean
  ServletServerContainerFactoryBean webSocketContainer() {
    ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
    container.setMaxTextMessageBufferSize(io.switchboard.signaling.ws.GroupCallSocketHandler.CONTAINER_TEXT_BUFFER);
    container.setMaxBinaryMessageBufferSize(1024);
    return container;
  }
}
