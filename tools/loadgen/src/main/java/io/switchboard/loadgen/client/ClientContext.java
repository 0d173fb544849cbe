package io.switchboard.loadgen.client;

import io.switchboard.loadgen.media.Candidates;
import io.switchboard.loadgen.media.OfferFactory;
import io.switchboard.loadgen.metrics.RunMetrics;
import java.util.function.LongSupplier;

/** What every simulated participant of a run shares: sockets, settings, counters, SDP and a clock (nanoseconds). */
public record ClientContext(WebSockets sockets, ClientSettings settings, RunMetrics metrics, OfferFactory offers,
    Candidates candidates, LongSupplier clock) {}
