package driver

// Normalises the Envoy clusters istiod generated for a route's destinations: the fields a
// BackendPolicy talks about (DestinationRule trafficPolicy -> connection pool, outlier detection,
// load balancer), read from the cluster as istiod built it (pilot/pkg/networking/core
// cluster_traffic_policy.go): circuit_breakers thresholds, connect_timeout, the HTTP protocol
// options' max_requests_per_connection, outlier_detection and lb_policy; and the route's
// hash_policy for consistent hashing (istiod puts it on the route, route.go consistentHashToHashPolicy).
// A BackendPolicy healthCheck would be the cluster's health_checks (Envoy's active health checking,
// config.cluster.v3.Cluster.health_checks): reported so a test can see that none was generated.

import (
	"fmt"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	upstream "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
)

type ClusterSettings struct {
	LbPolicy                 string   `json:"lbPolicy"`
	ConnectTimeoutMs         *int64   `json:"connectTimeoutMs,omitempty"`
	MaxConnections           *uint32  `json:"maxConnections,omitempty"`
	MaxPendingRequests       *uint32  `json:"maxPendingRequests,omitempty"`
	MaxRequests              *uint32  `json:"maxRequests,omitempty"`
	MaxRequestsPerConnection *uint32  `json:"maxRequestsPerConnection,omitempty"`
	Outlier                  *Outlier `json:"outlier,omitempty"`
	// UpstreamProtocol and IdleTimeoutMs come from the cluster's HttpProtocolOptions (protocol.go).
	UpstreamProtocol string `json:"upstreamProtocol,omitempty"`
	IdleTimeoutMs    *int64 `json:"idleTimeoutMs,omitempty"`
	// HealthChecks are the cluster's active health checks, as "http <path> every <ms>ms",
	// "tcp every <ms>ms", "grpc every <ms>ms" or the custom checker's name.
	HealthChecks []string `json:"healthChecks,omitempty"`
}

type Outlier struct {
	Consecutive5xx            *uint32 `json:"consecutive5xx,omitempty"`
	ConsecutiveGatewayFailure *uint32 `json:"consecutiveGatewayFailure,omitempty"`
	// Enforcing percentages: Envoy ejects on a detector only when its enforcing_* is above 0.
	Enforcing5xx     *uint32 `json:"enforcing5xx,omitempty"`
	EnforcingGateway *uint32 `json:"enforcingGateway,omitempty"`
	IntervalMs       *int64  `json:"intervalMs,omitempty"`
	BaseEjectionMs   *int64  `json:"baseEjectionMs,omitempty"`
	MaxEjection      *uint32 `json:"maxEjectionPercent,omitempty"`
}

// HashPolicy is one of the route's hash_policy entries.
type HashPolicy struct {
	Cookie     string `json:"cookie,omitempty"`
	CookiePath string `json:"cookiePath,omitempty"`
	CookieTTL  *int64 `json:"cookieTtlMs,omitempty"`
	Header     string `json:"header,omitempty"`
	SourceIP   bool   `json:"sourceIp,omitempty"`
}

func u32(v interface{ GetValue() uint32 }, present bool) *uint32 {
	if !present {
		return nil
	}
	x := v.GetValue()
	return &x
}

func summariseCluster(c *cluster.Cluster) (*ClusterSettings, error) {
	out := &ClusterSettings{LbPolicy: c.GetLbPolicy().String(), ConnectTimeoutMs: ms(c.GetConnectTimeout())}
	if th := c.GetCircuitBreakers().GetThresholds(); len(th) > 0 {
		t := th[0]
		out.MaxConnections = u32(t.GetMaxConnections(), t.GetMaxConnections() != nil)
		out.MaxPendingRequests = u32(t.GetMaxPendingRequests(), t.GetMaxPendingRequests() != nil)
		out.MaxRequests = u32(t.GetMaxRequests(), t.GetMaxRequests() != nil)
	}
	if a, ok := c.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]; ok {
		po := &upstream.HttpProtocolOptions{}
		if err := a.UnmarshalTo(po); err != nil {
			return nil, err
		}
		if m := po.GetCommonHttpProtocolOptions().GetMaxRequestsPerConnection(); m != nil {
			out.MaxRequestsPerConnection = u32(m, true)
		}
		out.UpstreamProtocol = upstreamProtocol(po)
		out.IdleTimeoutMs = idleTimeout(po)
	}
	if od := c.GetOutlierDetection(); od != nil {
		out.Outlier = &Outlier{
			Consecutive5xx:            u32(od.GetConsecutive_5Xx(), od.GetConsecutive_5Xx() != nil),
			ConsecutiveGatewayFailure: u32(od.GetConsecutiveGatewayFailure(), od.GetConsecutiveGatewayFailure() != nil),
			Enforcing5xx:              u32(od.GetEnforcingConsecutive_5Xx(), od.GetEnforcingConsecutive_5Xx() != nil),
			EnforcingGateway:          u32(od.GetEnforcingConsecutiveGatewayFailure(), od.GetEnforcingConsecutiveGatewayFailure() != nil),
			IntervalMs:                ms(od.GetInterval()),
			BaseEjectionMs:            ms(od.GetBaseEjectionTime()),
			MaxEjection:               u32(od.GetMaxEjectionPercent(), od.GetMaxEjectionPercent() != nil),
		}
	}
	for _, hc := range c.GetHealthChecks() {
		out.HealthChecks = append(out.HealthChecks, describeHealthCheck(hc))
	}
	return out, nil
}

func describeHealthCheck(hc *core.HealthCheck) string {
	every := fmt.Sprintf("every %dms", hc.GetInterval().AsDuration().Milliseconds())
	switch k := hc.GetHealthChecker().(type) {
	case *core.HealthCheck_HttpHealthCheck_:
		return "http " + k.HttpHealthCheck.GetPath() + " " + every
	case *core.HealthCheck_TcpHealthCheck_:
		return "tcp " + every
	case *core.HealthCheck_GrpcHealthCheck_:
		return "grpc " + every
	case *core.HealthCheck_CustomHealthCheck_:
		return k.CustomHealthCheck.GetName() + " " + every
	}
	return "unknown " + every
}

func hashPolicies(action *route.RouteAction) []HashPolicy {
	var out []HashPolicy
	for _, h := range action.GetHashPolicy() {
		switch p := h.GetPolicySpecifier().(type) {
		case *route.RouteAction_HashPolicy_Cookie_:
			out = append(out, HashPolicy{Cookie: p.Cookie.GetName(), CookiePath: p.Cookie.GetPath(), CookieTTL: ms(p.Cookie.GetTtl())})
		case *route.RouteAction_HashPolicy_Header_:
			out = append(out, HashPolicy{Header: p.Header.GetHeaderName()})
		case *route.RouteAction_HashPolicy_ConnectionProperties_:
			out = append(out, HashPolicy{SourceIP: p.ConnectionProperties.GetSourceIp()})
		}
	}
	return out
}
