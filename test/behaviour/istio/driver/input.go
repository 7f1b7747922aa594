// Package driver asks Istio's own code what anymesh's Istio output means: istiod's xDS generation
// (the fake discovery server of pilot/test/xds), its request simulation (pilot/pkg/simulation) and
// its config analyzers (pkg/config/analysis). It is a Go test binary (`go test -c`) because the
// simulation helpers take a *testing.T; TestDriver reads a JSON request from the file named by
// ANYMESH_ISTIO_INPUT and writes a JSON answer to ANYMESH_ISTIO_OUTPUT.
//
// The driver only reports what Envoy would do with the generated configuration; every expectation
// lives in the TypeScript tests (test/behaviour/istio), written from the policies' plain meaning.
package driver

// Input is the whole request: one world (Istio config plus the Kubernetes objects it refers to) and
// the calls to make in it.
type Input struct {
	// Config is multi-document YAML: anymesh's output plus Namespaces, Services and Pods.
	Config string `json:"config"`
	Calls  []Call `json:"calls"`
	// Analyze runs every Istio analyzer over Config.
	Analyze bool `json:"analyze"`
	// Ambient loads Config as Istio's own waypoint tests do (pilot/pkg/xds/waypoint_test.go): every
	// document both as config and as a Kubernetes object, so the gateway controller and the ambient
	// index (which read Kubernetes objects) see the Gateway API resources and AuthorizationPolicies.
	// The process must run with PILOT_ENABLE_AMBIENT=true, as istiod's ambient profile sets it.
	Ambient bool `json:"ambient,omitempty"`
	// CRDBundleVersions are the Gateway API CRDs' bundle-version annotations (CRD name -> version)
	// as installed in the cluster the output targets; ambient runs give the fake cluster's CRDs them.
	CRDBundleVersions map[string]string `json:"crdBundleVersions,omitempty"`
}

// Workload is one side of a call: a pod's namespace, labels, service account and address.
type Workload struct {
	Namespace      string            `json:"namespace"`
	Labels         map[string]string `json:"labels,omitempty"`
	ServiceAccount string            `json:"serviceAccount,omitempty"`
	IP             string            `json:"ip,omitempty"`
	// Name is the pod name (the proxy ID is name.namespace, as istio-agent sets it).
	Name string `json:"name,omitempty"`
}

// Call is one request. Outbound calls run through the caller's sidecar (routing); inbound calls
// through the server's sidecar (mTLS and authorization). In ambient mode, "ambient" calls go from
// the caller to a Service (through its waypoint when it has one, then to pod To's ztunnel) and
// "ztunnel" calls straight to pod To (a caller going around the waypoint). Gateway calls arrive at
// ingress gateway From (its pods' labels and namespace) from outside the mesh, on listener Port.
type Call struct {
	ID   string `json:"id"`
	Mode string `json:"mode"` // "outbound" | "inbound" | "gateway" | "ambient" | "ztunnel"
	// From is the caller. For inbound calls only its identity matters; Plaintext marks a caller
	// without a sidecar (no client certificate, hence no principal).
	From      Workload `json:"from"`
	Plaintext bool     `json:"plaintext,omitempty"`
	// To is the server workload (inbound calls).
	To Workload `json:"to,omitempty"`
	// Host, Address and Port name the destination: the Service host and ClusterIP for outbound
	// calls, the container port for inbound ones.
	Host    string `json:"host,omitempty"`
	Address string `json:"address,omitempty"`
	Port    int    `json:"port"`
	// Protocol: "http" (HTTP/1.1, default), "http2" (h2c), "grpc" (h2c, POST, content-type
	// application/grpc, as a gRPC client sends a call) or "tcp" (an opaque connection).
	Protocol string              `json:"protocol,omitempty"`
	Method   string              `json:"method,omitempty"`
	Path     string              `json:"path,omitempty"` // may carry ?query
	Headers  map[string][]string `json:"headers,omitempty"`
	// TargetPort is the container port the connection reaches at pod To (ambient; default Port).
	TargetPort int `json:"targetPort,omitempty"`
}

// Output is the answer: one result per call, in order, and the analyzers' messages.
type Output struct {
	Results  []Result  `json:"results"`
	Messages []Message `json:"messages"`
	// Analyzers lists the analyzers that ran (so a test can see the cross-resource ones did).
	Analyzers []string `json:"analyzers,omitempty"`
}

// Result is what Envoy, configured by istiod, does with one call.
type Result struct {
	ID string `json:"id"`
	// Error is the simulation's error (no listener, no route, mTLS required, ...), or ours.
	Error        string `json:"error,omitempty"`
	Listener     string `json:"listener,omitempty"`
	FilterChain  string `json:"filterChain,omitempty"`
	RouteConfig  string `json:"routeConfig,omitempty"`
	VirtualHost  string `json:"virtualHost,omitempty"`
	Route        *Route `json:"route,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Authz        *Authz `json:"authz,omitempty"`
	DirectResult string `json:"directResponse,omitempty"`
	// Waypoint is the waypoint Service host an ambient call went through, WaypointIdentity the
	// identity its pod presents to the destination's ztunnel.
	Waypoint         string   `json:"waypoint,omitempty"`
	WaypointIdentity string   `json:"waypointIdentity,omitempty"`
	Ztunnel          *Ztunnel `json:"ztunnel,omitempty"`
	// Endpoints are the addresses istiod sends the waypoint for each routed or mirrored cluster.
	Endpoints map[string][]string `json:"endpoints,omitempty"`
	// TCP is the tcp_proxy a TCP call met (sidecar outbound, waypoint).
	TCP *TCPProxy `json:"tcp,omitempty"`
	// InboundCluster is the server sidecar's cluster an inbound call was forwarded to, the hop to
	// the application itself: its upstreamProtocol is what the pod receives (HTTP/1.1 when "").
	InboundCluster *ClusterSettings `json:"inboundCluster,omitempty"`
}

// Route is the matched Envoy route, normalised.
type Route struct {
	Name            string       `json:"name"`
	Clusters        []WeightedTo `json:"clusters"`
	TimeoutMs       *int64       `json:"timeoutMs,omitempty"`
	Retry           *Retry       `json:"retry,omitempty"`
	Fault           *Fault       `json:"fault,omitempty"`
	Mirrors         []Mirror     `json:"mirrors,omitempty"`
	RequestHeaders  []HeaderOp   `json:"requestHeaders,omitempty"`
	ResponseHeaders []HeaderOp   `json:"responseHeaders,omitempty"`
	Cors            *Cors        `json:"cors,omitempty"`
	// HashPolicies are the route's consistent-hash keys; ClusterSettings the Envoy clusters'
	// BackendPolicy-relevant settings, per cluster name (sidecar outbound calls).
	HashPolicies    []HashPolicy                `json:"hashPolicies,omitempty"`
	ClusterSettings map[string]*ClusterSettings `json:"clusterSettings,omitempty"`
	Extra           map[string]bool             `json:"extra,omitempty"`
	// Redirect is set on a redirect route (then Clusters is empty), Rewrite on a forwarding route
	// that rewrites the path or host (protocol.go).
	Redirect *Redirect `json:"redirect,omitempty"`
	Rewrite  *Rewrite  `json:"rewrite,omitempty"`
}

type WeightedTo struct {
	Cluster string `json:"cluster"`
	Weight  uint32 `json:"weight"`
}

type Retry struct {
	RetryOn              string   `json:"retryOn"`
	NumRetries           uint32   `json:"numRetries"`
	PerTryTimeoutMs      *int64   `json:"perTryTimeoutMs,omitempty"`
	BackoffBaseMs        *int64   `json:"backoffBaseMs,omitempty"`
	BackoffMaxMs         *int64   `json:"backoffMaxMs,omitempty"`
	RetriableStatusCodes []uint32 `json:"retriableStatusCodes,omitempty"`
}

type Fault struct {
	DelayMs      *int64   `json:"delayMs,omitempty"`
	DelayPercent *float64 `json:"delayPercent,omitempty"`
	AbortHTTP    *uint32  `json:"abortHttpStatus,omitempty"`
	AbortGRPC    *uint32  `json:"abortGrpcStatus,omitempty"`
	AbortPercent *float64 `json:"abortPercent,omitempty"`
}

type Mirror struct {
	Cluster string  `json:"cluster"`
	Percent float64 `json:"percent"`
}

// HeaderOp is a header Envoy adds (Action: Envoy's append_action) or, with Remove, removes.
type HeaderOp struct {
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Action string `json:"action"`
}

type Cors struct {
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     string   `json:"allowMethods,omitempty"`
	AllowHeaders     string   `json:"allowHeaders,omitempty"`
	ExposeHeaders    string   `json:"exposeHeaders,omitempty"`
	MaxAge           string   `json:"maxAge,omitempty"`
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
}

// Authz is the verdict of the RBAC filters on the matched inbound filter chain.
type Authz struct {
	Allowed bool `json:"allowed"`
	// Filters are the RBAC filters in chain order, with the policies that matched the call.
	Filters []RBACVerdict `json:"filters"`
}

type RBACVerdict struct {
	Filter   string   `json:"filter"`
	Action   string   `json:"action"`
	Matched  []string `json:"matched"`
	Policies []string `json:"policies"`
	Allowed  bool     `json:"allowed"`
}

type Message struct {
	Code     string `json:"code"`
	Level    string `json:"level"`
	Text     string `json:"text"`
	Resource string `json:"resource,omitempty"`
}
