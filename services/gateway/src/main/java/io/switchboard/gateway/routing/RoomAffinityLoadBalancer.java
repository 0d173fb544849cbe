package io.switchboard.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.edge.GroupCallGuardGatewayFilterFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.NoopServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Mono;

/**
 * Spring Cloud LoadBalancer's choice of signaling pod for a new socket ({@link PodChoice}): room
 * affinity (the room the edge admitted the socket for, {@link
 * GroupCallGuardGatewayFilterFactory#ROOM_ATTRIBUTE}), then the sticky cookie, then least-loaded,
 * over the pods discovery lists and health checks find ready.
 */
public final class RoomAffinityLoadBalancer implements ReactorServiceInstanceLoadBalancer {

  private final String serviceId;
  private final ObjectProvider<ServiceInstanceListSupplier> suppliers;
  private final OpenSockets sockets;
  private final String stickyCookie;
  private final MeterRegistry registry;

  public RoomAffinityLoadBalancer(String serviceId, ObjectProvider<ServiceInstanceListSupplier> suppliers,
      OpenSockets sockets, String stickyCookie, MeterRegistry registry) {
    this.serviceId = serviceId;
    this.suppliers = suppliers;
    this.sockets = sockets;
    this.stickyCookie = stickyCookie;
    this.registry = registry;
  }

  /** The chosen pod and why; what the socket tracking reads back. */
  public static final class Routed extends DefaultResponse {
    private final PodChoice.Reason reason;

    Routed(ServiceInstance instance, PodChoice.Reason reason) {
      super(instance);
      this.reason = reason;
    }

    public PodChoice.Reason reason() {
      return reason;
    }
  }

  public static String key(ServiceInstance instance) {
    return instance.getHost() + ":" + instance.getPort();
  }

  @Override
  public Mono<Response<ServiceInstance>> choose(Request request) {
    ServiceInstanceListSupplier supplier = suppliers.getIfAvailable(NoopServiceInstanceListSupplier::new);
    return supplier.get(request).next().map(instances -> decide(instances, request));
  }

  private Response<ServiceInstance> decide(List<ServiceInstance> instances, Request<?> request) {
    if (instances.isEmpty()) {
      registry.counter("switchboard.gateway.routing.decisions", "reason", "no-pod").increment();
      return new EmptyResponse();
    }
    Map<String, ServiceInstance> byKey = new HashMap<>();
    List<String> keys = new ArrayList<>(instances.size());
    for (ServiceInstance instance : instances) {
      String key = key(instance);
      if (byKey.putIfAbsent(key, instance) == null) {
        keys.add(key);
      }
    }
    String room = null;
    String sticky = null;
    if (request.getContext() instanceof RequestDataContext context && context.getClientRequest() != null) {
      RequestData data = context.getClientRequest();
      if (data.getAttributes() != null
          && data.getAttributes().get(GroupCallGuardGatewayFilterFactory.ROOM_ATTRIBUTE) instanceof String r) {
        room = r;
      }
      if (data.getCookies() != null) {
        sticky = data.getCookies().getFirst(stickyCookie);
      }
    }
    PodChoice.Decision decision = PodChoice.choose(keys, room, sticky, sockets::count);
    registry.counter("switchboard.gateway.routing.decisions", "reason", decision.reason().tag()).increment();
    return new Routed(byKey.get(decision.pod()), decision.reason());
  }
}
